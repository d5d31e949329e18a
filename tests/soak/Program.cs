using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading.Tasks;
using TypedHttp.Reliability;

// tests/soak: 100 000 requests at concurrency 64 against a loopback server that closes 1 % of connections, then the
// checks of docs/reliability.md. Arguments (all optional): REQUESTS CONCURRENCY CLOSE_FRACTION.
// With --h2 first: the HTTP/2 soak, REQUESTS (default 100 000) at CONCURRENCY streams (default 256) on one h2c connection.
if (args.Length > 0 && args[0] == "--h2")
{
    int h2Requests = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
    int h2Concurrency = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 256;
    Console.WriteLine($"soak --h2: {h2Requests} requests, {h2Concurrency} concurrent streams, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm}Z");
    Http2LoadRun.Result h2 = await new Http2LoadRun { Requests = h2Requests, Concurrency = h2Concurrency }.RunAsync();
    Console.WriteLine(h2);
    foreach (string sample in h2.UnexplainedSamples)
    {
        Console.WriteLine("unexplained: " + sample);
    }
    bool h2Ok = h2.WrongBodies == 0 && h2.Unexplained == 0 && h2.StreamsLeftOpen == 0 && h2.ConnectionsUsed == 1
        && h2.ManagedAfter - h2.ManagedBefore < 16 * 1024 * 1024;
    Console.WriteLine($"{(h2Ok ? "PASS" : "FAIL")}  zero wrong bodies, zero unexplained errors, no stream left open, one connection, managed heap flat");
    return h2Ok ? 0 : 1;
}
int requests = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
int concurrency = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 64;
double closeFraction = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 0.01;

var run = new LoadRun { Requests = requests, Concurrency = concurrency, CloseFraction = closeFraction, MaxConnectionsPerServer = concurrency };
Console.WriteLine($"soak: {requests} requests, concurrency {concurrency}, server closes {closeFraction:P1}, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm}Z");
LoadRun.Result r = await run.RunAsync();
Console.WriteLine(r);
foreach (string sample in r.UnexplainedSamples)
{
    Console.WriteLine("unexplained: " + sample);
}

bool ok = true;
void Check(bool condition, string what)
{
    Console.WriteLine($"{(condition ? "PASS" : "FAIL")}  {what}");
    ok &= condition;
}
Check(r.WrongBodies == 0, "zero wrong bodies");
Check(r.Unexplained == 0, "zero unexplained errors");
Check(r.Succeeded + r.WrongBodies + SumErrors(r) == requests, "every request accounted for");
Check(SumErrors(r) <= r.ServerCloses, "no more errors than server closes");
Check(r.MaxOpenConnections <= concurrency, $"open connections within the pool limit ({r.MaxOpenConnections} <= {concurrency})");
Check(r.FdAfter <= r.FdBefore + 2, $"file descriptors back to the baseline ({r.FdAfter} vs {r.FdBefore})");
Check(r.ManagedAfter - r.ManagedBefore < 16 * 1024 * 1024, $"managed heap flat (+{(r.ManagedAfter - r.ManagedBefore) / 1024} KiB, bound 16 MiB)");
return ok ? 0 : 1;

static int SumErrors(LoadRun.Result r)
{
    int n = 0;
    foreach (KeyValuePair<string, int> e in r.Errors)
    {
        n += e.Value;
    }
    return n;
}
