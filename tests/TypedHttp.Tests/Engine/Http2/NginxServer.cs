using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;

namespace TypedHttp.Tests.Engine.Http2;

/// <summary>
/// nginx from Debian (package <c>nginx-light</c>, installed by <c>.ci/run</c>) on 127.0.0.1: one server over TLS
/// with ALPN h2 and one h2c server, with a configuration written into a temp folder (never the machine's /etc) and
/// run in the foreground as one process. Locations: <c>/</c> answers <c>proto=$server_protocol</c>,
/// <c>/files/</c> serves files the test writes, <c>/conn</c> answers the connection's serial number.
/// </summary>
/// <remarks>
/// Beside them two HTTP/1.1-only servers, one plain (<see cref="Http1Port"/>) and one over TLS without h2
/// (<see cref="Http1TlsPort"/>), with the locations users meet daily, all over the files of <see cref="FilesDirectory"/>:
/// <c>/static/</c> (ranges off: <c>max_ranges 0</c>), <c>/gzip/</c> (gzip for every type, chunked),
/// <c>/chunked/</c> (a sub_filter, which drops Content-Length), <c>/private/</c> (<c>auth_basic</c> with an htpasswd file
/// made by <c>htpasswd</c> from Debian's apache2-utils, user <see cref="BasicUser"/>), <c>/redirect/absolute</c> and
/// <c>/redirect/relative</c> (302 to <c>/static/a.txt</c>, with an absolute and a relative Location), <c>/loop</c>
/// (a 302 to itself). Their access log (<see cref="Http1AccessLog"/>) has one line per request:
/// <c>$connection $connection_requests $request_method $uri $status</c>.
/// </remarks>
public sealed class NginxServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _root;

    /// <summary>The user of <c>/private/</c>.</summary>
    public const string BasicUser = "alice";

    /// <summary>Her password.</summary>
    public const string BasicPassword = "wonder land";

    private NginxServer(Process process, DirectoryInfo root, int tlsPort, int h2cPort, int http1Port, int http1TlsPort)
    {
        _process = process;
        _root = root;
        TlsPort = tlsPort;
        H2cPort = h2cPort;
        Http1Port = http1Port;
        Http1TlsPort = http1TlsPort;
    }

    /// <summary>The plain HTTP/1.1 server.</summary>
    public int Http1Port { get; }

    /// <summary>The HTTP/1.1 server over TLS (ALPN offers http/1.1 only).</summary>
    public int Http1TlsPort { get; }

    /// <summary>The HTTP/1.1 servers' access log: <c>$connection $connection_requests $request_method $uri $status</c> per line.</summary>
    public string[] Http1AccessLog => File.Exists(Path.Combine(_root.FullName, "access1.log"))
        ? File.ReadAllLines(Path.Combine(_root.FullName, "access1.log")) : [];

    public Uri Http1Uri(string path) => new($"http://127.0.0.1:{Http1Port}{path}");

    public Uri Http1TlsUri(string host, string path) => new($"https://{host}:{Http1TlsPort}{path}");

    public int TlsPort { get; }

    public int H2cPort { get; }

    /// <summary>Where <c>/files/</c> is served from.</summary>
    public string FilesDirectory => Path.Combine(_root.FullName, "www", "files");

    /// <summary>The access log: one line per request, <c>$connection $server_protocol $request_method $uri $status $request_length</c>.</summary>
    public string AccessLog => File.Exists(Path.Combine(_root.FullName, "access.log")) ? File.ReadAllText(Path.Combine(_root.FullName, "access.log")) : string.Empty;

    public Uri TlsUri(string host, string path) => new($"https://{host}:{TlsPort}{path}");

    public Uri H2cUri(string path) => new($"http://127.0.0.1:{H2cPort}{path}");

    /// <summary>Starts nginx; fails (never skips) when nginx is missing, naming the package.</summary>
    /// <param name="certificate">The TLS servers' certificate, with its private key.</param>
    /// <param name="keepAliveRequests">nginx's <c>keepalive_requests</c>.</param>
    /// <param name="basicAuth">Whether to make <c>/private/</c>'s htpasswd file (needs <c>htpasswd</c>, Debian apache2-utils).</param>
    public static async Task<NginxServer> StartAsync(X509Certificate2 certificate, int keepAliveRequests = 1000, bool basicAuth = false)
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
        int tlsPort = ServerProcess.FreePort(), h2cPort = ServerProcess.FreePort(), echoPort = ServerProcess.FreePort(), http1Port = ServerProcess.FreePort(), http1TlsPort = ServerProcess.FreePort();
        string r = root.FullName;
        if (basicAuth)
        {
            MakePasswordFile(Path.Combine(r, "htpasswd"));
        }
        string http1Locations = $$"""
                location /static/ { alias {{r}}/www/files/; max_ranges 0; }
                location /gzip/ { alias {{r}}/www/files/; gzip on; gzip_types *; gzip_min_length 1; }
                location /chunked/ { alias {{r}}/www/files/; sub_filter_types *; sub_filter 'nginx-chunked-marker' 'x'; }
                location /private/ { alias {{r}}/www/files/; auth_basic "nginx test"; auth_basic_user_file {{r}}/htpasswd; }
                location = /redirect/absolute { return 302 $scheme://$http_host/static/a.txt; }
                location = /redirect/relative { absolute_redirect off; return 302 /static/a.txt; }
                location = /loop { absolute_redirect off; return 302 /loop; }
            """;
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
                log_format th1 '$connection $connection_requests $request_method $uri $status';
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
                    listen 127.0.0.1:{{http1Port}};
                    access_log {{r}}/access1.log th1;
            {{http1Locations}}
                }
                server {
                    listen 127.0.0.1:{{http1TlsPort}} ssl;
                    access_log {{r}}/access1.log th1;
                    ssl_certificate {{r}}/server.crt;
                    ssl_certificate_key {{r}}/server.key;
            {{http1Locations}}
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
        var server = new NginxServer(process, root, tlsPort, h2cPort, http1Port, http1TlsPort);
        if (await ServerProcess.WaitUntilListeningAsync(process, TimeSpan.FromSeconds(5), tlsPort, h2cPort, http1Port, http1TlsPort))
        {
            return server;
        }
        if (process.HasExited)
        {
            string error = await process.StandardError.ReadToEndAsync();
            string log = File.Exists(Path.Combine(r, "error.log")) ? File.ReadAllText(Path.Combine(r, "error.log")) : "";
            Assert.Fail($"nginx exited at start ({process.ExitCode}): {error} {log}");
        }
        await server.DisposeAsync();
        Assert.Fail("nginx did not start listening within 5 s.");
        return server;
    }

    /// <summary>The nginx version as <c>nginx -v</c> prints it (<c>nginx/1.22.1</c>).</summary>
    public static string Version()
    {
        string? nginx = FindNginx();
        Assert.True(nginx is not null, "nginx is not installed: install the Debian package 'nginx-light' (.ci/run does: apt-get install nginx-light).");
        using Process p = Process.Start(new ProcessStartInfo(nginx!, "-v") { RedirectStandardError = true, RedirectStandardOutput = true })!;
        string text = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return text.Trim();
    }

    private static void MakePasswordFile(string path)
    {
        const string Htpasswd = "/usr/bin/htpasswd";
        Assert.True(File.Exists(Htpasswd), "htpasswd is not installed: install the Debian package 'apache2-utils' (.ci/run does).");
        var start = new ProcessStartInfo(Htpasswd) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in new[] { "-b", "-c", "-m", path, BasicUser, BasicPassword })
        {
            start.ArgumentList.Add(arg);
        }
        using Process p = Process.Start(start)!;
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"htpasswd failed ({p.ExitCode}): {error}");
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

    public ValueTask DisposeAsync() => ServerProcess.StopAsync(_process, _root.FullName);
}
