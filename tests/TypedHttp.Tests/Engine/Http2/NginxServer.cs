using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;

namespace TypedHttp.Tests.Engine.Http2;

/// <summary>
/// nginx from Debian (package <c>nginx-light</c>, installed by <c>.ci/run</c>) on 127.0.0.1: one server over TLS
/// with ALPN h2 and one h2c server, with a configuration written into a temp folder (never the machine's /etc) and
/// run in the foreground as one process. Locations: <c>/</c> answers <c>proto=$server_protocol</c>,
/// <c>/files/</c> serves files the test writes, <c>/conn</c> answers the connection's serial number.
/// </summary>
public sealed class NginxServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _root;

    private NginxServer(Process process, DirectoryInfo root, int tlsPort, int h2cPort)
    {
        _process = process;
        _root = root;
        TlsPort = tlsPort;
        H2cPort = h2cPort;
    }

    public int TlsPort { get; }

    public int H2cPort { get; }

    /// <summary>Where <c>/files/</c> is served from.</summary>
    public string FilesDirectory => Path.Combine(_root.FullName, "www", "files");

    /// <summary>The access log: one line per request, <c>$connection $server_protocol $request_method $uri $status $request_length</c>.</summary>
    public string AccessLog => File.Exists(Path.Combine(_root.FullName, "access.log")) ? File.ReadAllText(Path.Combine(_root.FullName, "access.log")) : string.Empty;

    public Uri TlsUri(string host, string path) => new($"https://{host}:{TlsPort}{path}");

    public Uri H2cUri(string path) => new($"http://127.0.0.1:{H2cPort}{path}");

    /// <summary>Starts nginx; fails (never skips) when nginx is missing, naming the package.</summary>
    public static async Task<NginxServer> StartAsync(X509Certificate2 certificate, int keepAliveRequests = 1000)
    {
        string? nginx = FindNginx();
        Assert.True(nginx is not null, "nginx is not installed: install the Debian package 'nginx-light' (.ci/run does: apt-get install nginx-light).");
        DirectoryInfo root = Directory.CreateTempSubdirectory("typedhttp-nginx-");
        Directory.CreateDirectory(Path.Combine(root.FullName, "www", "files"));
        File.WriteAllText(Path.Combine(root.FullName, "server.crt"), certificate.ExportCertificatePem());
        using (RSA? rsa = certificate.GetRSAPrivateKey())
        using (ECDsa? ec = certificate.GetECDsaPrivateKey())
        {
            string key = rsa?.ExportPkcs8PrivateKeyPem() ?? ec?.ExportPkcs8PrivateKeyPem() ?? throw new InvalidOperationException("The certificate has no private key.");
            File.WriteAllText(Path.Combine(root.FullName, "server.key"), key);
        }
        int tlsPort = FreePort(), h2cPort = FreePort(), echoPort = FreePort();
        string r = root.FullName;
        string locations = $$"""
                location = / { return 200 "proto=$server_protocol"; }
                location = /conn { return 200 "$connection"; }
                location = /upload { proxy_pass http://127.0.0.1:{{echoPort}}/echo-length; }
                location /files/ { root {{r}}/www; }
            """;
        string config = $$"""
            daemon off;
            master_process off;
            worker_processes 1;
            pid {{r}}/nginx.pid;
            error_log {{r}}/error.log info;
            events { worker_connections 256; }
            http {
                default_type text/plain;
                log_format th '$connection $server_protocol $request_method $uri $status $request_length';
                access_log {{r}}/access.log th;
                client_body_temp_path {{r}}/client_body;
                proxy_temp_path {{r}}/proxy;
                fastcgi_temp_path {{r}}/fastcgi;
                uwsgi_temp_path {{r}}/uwsgi;
                scgi_temp_path {{r}}/scgi;
                keepalive_requests {{keepAliveRequests}};
                client_max_body_size 64m;
                server {
                    listen 127.0.0.1:{{tlsPort}} ssl http2;
                    ssl_certificate {{r}}/server.crt;
                    ssl_certificate_key {{r}}/server.key;
            {{locations}}
                }
                server {
                    listen 127.0.0.1:{{h2cPort}} http2;
            {{locations}}
                }
                server {
                    listen 127.0.0.1:{{echoPort}};
                    location = /echo-length { return 200 "$content_length"; }
                }
            }
            """;
        File.WriteAllText(Path.Combine(r, "nginx.conf"), config);
        var start = new ProcessStartInfo(nginx!, $"-p {r} -c {r}/nginx.conf") { RedirectStandardError = true, RedirectStandardOutput = true };
        Process process = Process.Start(start)!;
        var server = new NginxServer(process, root, tlsPort, h2cPort);
        for (int i = 0; i < 100; i++)
        {
            if (process.HasExited)
            {
                string error = await process.StandardError.ReadToEndAsync();
                string log = File.Exists(Path.Combine(r, "error.log")) ? File.ReadAllText(Path.Combine(r, "error.log")) : "";
                Assert.Fail($"nginx exited at start ({process.ExitCode}): {error} {log}");
            }
            if (CanConnect(tlsPort) && CanConnect(h2cPort))
            {
                return server;
            }
            await Task.Delay(50);
        }
        await server.DisposeAsync();
        Assert.Fail("nginx did not start listening within 5 s.");
        return server;
    }

    private static string? FindNginx()
    {
        foreach (string candidate in new[] { "/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool CanConnect(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            _root.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
