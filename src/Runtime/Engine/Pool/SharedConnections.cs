using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace TypedHttp;

/// <summary>
/// What makes a connection what it is, besides its server (C-7): two sessions whose profiles are equal open
/// interchangeable connections, so an idle anonymous one may pass from one to the other. Reference types compare by
/// identity (the same <see cref="ProxySettings"/> instance, the same client certificate collection); delegates by
/// <see cref="Delegate.Equals(object)"/> (the same method on the same target). Everything else a session sets is
/// read by the connection from its current session's options, exchange by exchange.
/// </summary>
internal sealed record ConnectionProfile(
    ProxySettings Proxy,
    RemoteCertificateValidationCallback? RemoteCertificateValidationCallback,
    X509CertificateCollection? ClientCertificates,
    SslProtocols SslProtocols,
    bool CheckCertificateRevocation,
    Version DefaultRequestVersion,
    System.Net.Http.HttpVersionPolicy DefaultVersionPolicy,
    Func<string, CancellationToken, ValueTask<IPAddress[]>>? Resolver,
    TimeSpan ResolveTimeout,
    TimeSpan ConnectTimeout,
    TimeSpan SendTimeout,
    TimeSpan ReceiveTimeout,
    TimeSpan PooledConnectionIdleTimeout,
    int MaxConnectionsPerServer,
    string? UserAgent)
{
    /// <summary>The profile of <paramref name="o"/>'s connections; null when the session does not share (C-7).</summary>
    public static ConnectionProfile? Of(HttpSessionOptions o) => !o.ShareConnectionsAcrossSessions ? null : new ConnectionProfile(
        o.Proxy, o.RemoteCertificateValidationCallback, o.ClientCertificates, o.SslProtocols, o.CheckCertificateRevocation,
        o.DefaultRequestVersion, o.DefaultVersionPolicy, o.Resolver, o.ResolveTimeout, o.ConnectTimeout, o.SendTimeout,
        o.ReceiveTimeout, o.PooledConnectionIdleTimeout, o.MaxConnectionsPerServer, o.UserAgent);
}

/// <summary>
/// The process-wide pool of anonymous HTTP/1.1 connections (C-7, WinHTTP 5.1's keep-alive pooling across sessions):
/// the per-session pools of one server whose sessions have equal <see cref="ConnectionProfile"/>s form a group. A
/// pool that would open a connection first takes an idle shareable one from another member
/// (<see cref="TryTake"/>), and a pool that is disposed hands its idle shareable connections to a live member
/// (<see cref="TryHandOver"/>) instead of closing them. A connection that carried NTLM or Negotiate or sent a client
/// certificate never leaves its session (C-8). HTTP/2 connections stay with their session (C-9).
/// </summary>
/// <remarks>
/// Nothing here is on a request's path while its own session has an idle connection: a group is consulted only
/// where a connection would otherwise be opened or closed, so the per-request fast path takes no further lock.
/// Members are held weakly: a session that is never disposed does not stay alive for the group's sake.
/// </remarks>
internal static class SharedConnections
{
    private static readonly ConcurrentDictionary<(PoolKey Key, ConnectionProfile Profile), Group> s_groups = new();

    /// <summary>The pools of one server with one profile.</summary>
    internal sealed class Group
    {
        public readonly object Lock = new();
        public readonly List<WeakReference<HttpConnectionPool>> Members = new();
        public bool Removed;
    }

    /// <summary>Adds <paramref name="pool"/> to its group (made when it is the first).</summary>
    public static Group Join(HttpConnectionPool pool, ConnectionProfile profile)
    {
        while (true)
        {
            Group group = s_groups.GetOrAdd((pool.Key, profile), static _ => new Group());
            lock (group.Lock)
            {
                if (group.Removed)
                {
                    continue; // emptied and removed meanwhile: join a new one
                }
                group.Members.RemoveAll(static w => !w.TryGetTarget(out _));
                group.Members.Add(new WeakReference<HttpConnectionPool>(pool));
                return group;
            }
        }
    }

    /// <summary>Takes <paramref name="pool"/> out of its group; the last member removes the group.</summary>
    public static void Leave(HttpConnectionPool pool, ConnectionProfile profile, Group group)
    {
        lock (group.Lock)
        {
            group.Members.RemoveAll(w => !w.TryGetTarget(out HttpConnectionPool? p) || ReferenceEquals(p, pool));
            if (group.Members.Count == 0)
            {
                group.Removed = true;
                s_groups.TryRemove(new KeyValuePair<(PoolKey, ConnectionProfile), Group>((pool.Key, profile), group));
            }
        }
    }

    /// <summary>An idle shareable connection of another member, now out of that member's pool; null when none has one.</summary>
    public static HttpConnection? TryTake(Group group, HttpConnectionPool taker)
    {
        foreach (HttpConnectionPool member in Others(group, taker))
        {
            if (member.TryGiveIdle() is { } connection)
            {
                return connection;
            }
        }
        return null;
    }

    /// <summary>Gives <paramref name="connection"/> (idle, shareable, out of <paramref name="giver"/>'s pool) to a live member; false when none takes it.</summary>
    public static bool TryHandOver(Group group, HttpConnectionPool giver, HttpConnection connection)
    {
        foreach (HttpConnectionPool member in Others(group, giver))
        {
            if (member.TryAdoptIdle(connection))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Whether another member learned that the server speaks only HTTP/1.1 (an ALPN answer of http/1.1 to h2).</summary>
    public static bool AnyKnowsHttp11Only(Group group, HttpConnectionPool self)
    {
        foreach (HttpConnectionPool member in Others(group, self))
        {
            if (member.IsHttp11Only)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The live members other than <paramref name="self"/>, most recently joined first.</summary>
    private static List<HttpConnectionPool> Others(Group group, HttpConnectionPool self)
    {
        var others = new List<HttpConnectionPool>();
        lock (group.Lock)
        {
            for (int i = group.Members.Count - 1; i >= 0; i--)
            {
                if (group.Members[i].TryGetTarget(out HttpConnectionPool? p) && !ReferenceEquals(p, self))
                {
                    others.Add(p);
                }
            }
        }
        return others;
    }
}
