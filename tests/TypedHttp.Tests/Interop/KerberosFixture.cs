using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading.Tasks;

namespace TypedHttp.Tests.Interop;

/// <summary>
/// What the Kerberos tests share, once per run: the realm with its KDC, Apache with mod_auth_gssapi and the Kestrel
/// Negotiate server. The tests of the collection run one after the other (they share the process's credential
/// cache, which some fill with kinit and others empty).
/// </summary>
public sealed class KerberosFixture : IAsyncLifetime
{
    private KerberosRealm? _realm;
    private ApacheServer? _apache;
    private KerberosKestrel? _kestrel;

    /// <summary>Apache.</summary>
    public ApacheServer Apache => _apache!;

    /// <summary>Kestrel.</summary>
    public KerberosKestrel Kestrel => _kestrel!;

    /// <summary>Starts the realm and both servers.</summary>
    public async Task InitializeAsync()
    {
        _realm = await KerberosRealm.StartAsync();
        _apache = await ApacheServer.StartAsync();
        _kestrel = await KerberosKestrel.StartAsync();
    }

    /// <summary>Stops the servers and the KDC.</summary>
    public async Task DisposeAsync()
    {
        if (_kestrel is not null)
        {
            await _kestrel.DisposeAsync();
        }
        if (_apache is not null)
        {
            await _apache.DisposeAsync();
        }
        if (_realm is not null)
        {
            await _realm.DisposeAsync();
        }
    }

    /// <summary>Runs a program (thttp through <c>dotnet</c>, or curl) with the process's Kerberos environment plus <paramref name="environment"/>.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string program, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (KeyValuePair<string, string> variable in environment ?? new Dictionary<string, string>())
        {
            start.Environment[variable.Key] = variable.Value;
        }
        using Process process = Process.Start(start)!;
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// The thttp this build made (src/Cli/bin/&lt;configuration&gt;/net10.0/thttp.dll; the test project builds it
    /// first), as the arguments that run it: <c>dotnet exec thttp.dll</c>.
    /// </summary>
    public static string[] Thttp()
    {
        string tests = AppContext.BaseDirectory; // tests/TypedHttp.Tests/bin/<configuration>/net10.0/
        var folder = new DirectoryInfo(tests);
        string framework = folder.Name;
        string configuration = folder.Parent!.Name;
        DirectoryInfo? root = folder;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "TypedHttp.sln")))
        {
            root = root.Parent;
        }
        Assert.True(root is not null, "The repository root (TypedHttp.sln) was not found above " + tests);
        string dll = Path.Combine(root!.FullName, "src", "Cli", "bin", configuration, framework, "thttp.dll");
        Assert.True(File.Exists(dll), $"thttp is not built at {dll}: dotnet build src/Cli/thttp.csproj -c {configuration}");
        return ["exec", dll];
    }
}

/// <summary>The Kerberos tests' collection: one realm and one pair of servers, tests one after the other.</summary>
[CollectionDefinition(Name)]
public sealed class KerberosCollection : ICollectionFixture<KerberosFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Kerberos realm";
}
