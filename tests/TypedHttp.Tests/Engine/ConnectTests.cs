using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using TypedHttp.Tests.Infrastructure;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Engine;

/// <summary>Name resolution through the resolver hook, connecting to each address in turn (C-6), IPv6. Never queries real DNS.</summary>
public sealed class ConnectTests
{
    /// <summary>A loopback port nobody listens on.</summary>
    private static int ClosedPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    [Fact]
    public async Task Resolver_is_used_for_names_and_the_host_header_keeps_the_name()
    {
        await using var server = ScriptedServer.Respond(Ok("resolved"));
        string? asked = null;
        using HttpSession session = Session(o => o.Resolver = (host, ct) =>
        {
            asked = host;
            return ValueTask.FromResult(new[] { IPAddress.Loopback });
        });

        Assert.Equal("resolved", await session.GetStringAsync(new Uri($"http://api.service.test:{server.Port}/x")));

        Assert.Equal("api.service.test", asked);
        Assert.Equal($"api.service.test:{server.Port}", server.Connections[0].Requests[0].Header("Host"));
    }

    [Fact]
    public async Task Resolver_failure_is_NameNotResolved_in_Resolve()
    {
        using HttpSession session = Session(o => o.Resolver = static (host, ct) => throw new SocketException((int)SocketError.HostNotFound));
        await AssertFailsAsync(HttpError.NameNotResolved, HttpPhase.Resolve, async () => await session.GetAsync(new Uri("http://nowhere.test/")));
    }

    [Fact]
    public async Task Resolver_returning_no_address_is_NameNotResolved()
    {
        using HttpSession session = Session(o => o.Resolver = static (host, ct) => ValueTask.FromResult(Array.Empty<IPAddress>()));
        await AssertFailsAsync(HttpError.NameNotResolved, HttpPhase.Resolve, async () => await session.GetAsync(new Uri("http://empty.test/")));
    }

    [Fact]
    public async Task Ip_literals_are_not_resolved()
    {
        await using var server = ScriptedServer.Respond(Ok("literal"));
        using HttpSession session = Session(o => o.Resolver = static (host, ct) => throw new InvalidOperationException("must not resolve " + host));
        Assert.Equal("literal", await session.GetStringAsync(server.Uri("/")));
    }

    [Fact]
    public async Task Refused_connection_is_CannotConnect_in_Connect()
    {
        using HttpSession session = Session();
        await AssertFailsAsync(HttpError.CannotConnect, HttpPhase.Connect, async () => await session.GetAsync(new Uri($"http://127.0.0.1:{ClosedPort()}/")));
    }

    [Fact]
    public async Task C6_each_address_is_tried_in_turn()
    {
        Prerequisites.Require(Prerequisite.SecondLoopbackAddress);
        await using var server = ScriptedServer.Respond(Ok("second address"));
        // The name resolves to two addresses; the first refuses. 127.0.0.2 is loopback on Linux but nobody listens there.
        using HttpSession session = Session(o => o.Resolver = static (host, ct) => ValueTask.FromResult(new[] { IPAddress.Parse("127.0.0.2"), IPAddress.Loopback }));

        Assert.Equal("second address", await session.GetStringAsync(new Uri($"http://multi.test:{server.Port}/")));
    }

    [Fact]
    public async Task C6_all_addresses_refusing_is_CannotConnect()
    {
        Prerequisites.Require(Prerequisite.SecondLoopbackAddress);
        int port = ClosedPort();
        using HttpSession session = Session(o => o.Resolver = static (host, ct) => ValueTask.FromResult(new[] { IPAddress.Loopback, IPAddress.Parse("127.0.0.3") }));
        await AssertFailsAsync(HttpError.CannotConnect, HttpPhase.Connect, async () => await session.GetAsync(new Uri($"http://multi.test:{port}/")));
    }

    /// <summary>
    /// A listener whose accept queue is full, so further connection attempts get no answer at all (Linux drops
    /// the SYN): a connect to it only ends by timeout.
    /// </summary>
    private static Socket Blackhole(IPAddress address, int port, out Socket filler)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(address, port));
        listener.Listen(0);
        filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        filler.Connect(listener.LocalEndPoint!);
        return listener;
    }

    [Fact]
    public async Task TO2_connect_timeout_is_Timeout_in_Connect()
    {
        Prerequisites.Require(Prerequisite.SecondLoopbackAddress);
        using Socket blackhole = Blackhole(IPAddress.Parse("127.0.0.2"), 0, out Socket filler);
        using (filler)
        {
            int port = ((IPEndPoint)blackhole.LocalEndPoint!).Port;
            using HttpSession session = Session(o => o.ConnectTimeout = TimeSpan.FromMilliseconds(300));

            await AssertFailsAsync(HttpError.Timeout, HttpPhase.Connect, async () => await session.GetAsync(new Uri($"http://127.0.0.2:{port}/")));
        }
    }

    [Fact]
    public async Task C6_connect_timeout_applies_per_address_and_the_next_address_is_tried()
    {
        Prerequisites.Require(Prerequisite.SecondLoopbackAddress);
        await using var server = ScriptedServer.Respond(Ok("after a timeout"));
        using Socket blackhole = Blackhole(IPAddress.Parse("127.0.0.2"), server.Port, out Socket filler);
        using (filler)
        {
            using HttpSession session = Session(o =>
            {
                o.ConnectTimeout = TimeSpan.FromMilliseconds(300);
                o.Resolver = static (host, ct) => ValueTask.FromResult(new[] { IPAddress.Parse("127.0.0.2"), IPAddress.Loopback });
            });

            Assert.Equal("after a timeout", await session.GetStringAsync(new Uri($"http://slow-first.test:{server.Port}/")));
        }
    }

    [Fact]
    public async Task IPv6_loopback_works_with_a_bracketed_host_header()
    {
        Prerequisites.Require(Prerequisite.IPv6Loopback);
        await using var server = ScriptedServer.Start(c => c.ServeAsync(Ok("six")), IPAddress.IPv6Loopback);
        using HttpSession session = Session();

        Assert.Equal("six", await session.GetStringAsync(server.Uri("/v6")));

        Assert.Equal($"[::1]:{server.Port}", server.Connections[0].Requests[0].Header("Host"));
    }

    [Fact]
    public async Task Both_address_families_from_the_resolver()
    {
        Prerequisites.Require(Prerequisite.IPv6Loopback);
        await using var server = ScriptedServer.Start(c => c.ServeAsync(Ok("v6 after v4")), IPAddress.IPv6Loopback);
        using HttpSession session = Session(o => o.Resolver = static (host, ct) => ValueTask.FromResult(new[] { IPAddress.Loopback, IPAddress.IPv6Loopback }));

        Assert.Equal("v6 after v4", await session.GetStringAsync(new Uri($"http://dual.test:{server.Port}/")));
    }
}
