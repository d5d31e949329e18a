using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace TypedHttp.Tests.Infrastructure;

/// <summary>
/// What the real servers the tests start (nginx, squid, Apache, the Kerberos KDC) have in common: a free loopback
/// port to put them on, waiting until they accept connections, and stopping them with their temp folder.
/// </summary>
public static class ServerProcess
{
    /// <summary>A free TCP port on 127.0.0.1 (nothing listens on it once this returns).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Whether something accepts a TCP connection on 127.0.0.1:<paramref name="port"/>.</summary>
    public static bool CanConnect(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// Waits until every one of <paramref name="ports"/> accepts connections: true then, false when
    /// <paramref name="process"/> exited first or <paramref name="within"/> passed.
    /// </summary>
    public static async Task<bool> WaitUntilListeningAsync(Process process, TimeSpan within, params int[] ports)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            if (process.HasExited)
            {
                return false;
            }
            if (Array.TrueForAll(ports, CanConnect))
            {
                return true;
            }
            await Task.Delay(25);
        }
        return false;
    }

    /// <summary>Kills <paramref name="process"/> (with its children) if it runs, and deletes <paramref name="folder"/>.</summary>
    public static async ValueTask StopAsync(Process process, string? folder)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        if (folder is not null && Directory.Exists(folder))
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A server's child that outlived the kill may still hold a log open; the temp folder goes with the machine.
            }
            catch (UnauthorizedAccessException)
            {
                // Files written by a server that dropped to another user (squid runs as 'proxy').
            }
        }
    }
}
