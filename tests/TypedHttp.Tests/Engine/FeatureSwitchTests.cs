using System;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Engine;

/// <summary>Runs alone: it changes AppContext switches, which every session in the process reads.</summary>
[CollectionDefinition("AppContext switches", DisableParallelization = true)]
public sealed class AppContextSwitchCollection;

/// <summary>The engine's feature switches (docs/engine.md, "Leaving features out of a Native AOT binary").</summary>
[Collection("AppContext switches")]
public sealed class FeatureSwitchTests
{
    private const string TlsSwitch = "TypedHttp.Tls.IsSupported";

    [Fact]
    public async Task Tls_switch_off_fails_https_before_resolving_and_leaves_http_alone()
    {
        await using KestrelServer server = await KestrelServer.StartAsync();
        int resolved = 0;
        using HttpSession session = Session(o => o.Resolver = (host, ct) =>
        {
            Interlocked.Increment(ref resolved);
            return ValueTask.FromResult(new[] { IPAddress.Loopback });
        });
        AppContext.SetSwitch(TlsSwitch, false);
        try
        {
            TypedHttpException e = await AssertFailsAsync(HttpError.SecureFailure, HttpPhase.Tls,
                async () => await session.GetAsync(new Uri($"https://tls.test:{server.Port}/")));
            Assert.Contains(TlsSwitch, e.Message);
            Assert.Contains("tls.test", e.Message);
            Assert.Equal(0, Volatile.Read(ref resolved));

            string body = await session.GetStringAsync(server.Uri("plain.test"));
            Assert.StartsWith("conn=", body);
            Assert.Equal(1, Volatile.Read(ref resolved));
        }
        finally
        {
            AppContext.SetSwitch(TlsSwitch, true);
        }
    }

    [Fact]
    public async Task Tls_switch_off_also_fails_https_through_a_proxy_before_connecting()
    {
        int resolved = 0;
        using HttpSession session = Session(o =>
        {
            o.Proxy = ProxySettings.Named("http://proxy.test:3128");
            o.Resolver = (host, ct) =>
            {
                Interlocked.Increment(ref resolved);
                return ValueTask.FromResult(new[] { IPAddress.Loopback });
            };
        });
        AppContext.SetSwitch(TlsSwitch, false);
        try
        {
            TypedHttpException e = await AssertFailsAsync(HttpError.SecureFailure, HttpPhase.Tls,
                async () => await session.GetAsync(new Uri("https://origin.test/")));
            Assert.Contains(TlsSwitch, e.Message);
            Assert.Equal(0, Volatile.Read(ref resolved));
        }
        finally
        {
            AppContext.SetSwitch(TlsSwitch, true);
        }
    }

    [Fact]
    public void AutomaticDecompression_reads_back_what_was_set()
    {
        var options = new HttpSessionOptions();
        Assert.False(options.AutomaticDecompression);
        options.AutomaticDecompression = true;
        Assert.True(options.AutomaticDecompression);
        options.AutomaticDecompression = false;
        Assert.False(options.AutomaticDecompression);
    }
}
