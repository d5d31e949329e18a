using System;
using System.Globalization;
using System.Threading.Tasks;
using TypedHttp.Reliability;

// tests/soak: 100 000 requests at concurrency 64 against a loopback server that closes 1 % of connections, then the
// checks of docs/reliability.md. Arguments (all optional): REQUESTS CONCURRENCY CLOSE_FRACTION.
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
    foreach (var e in r.Errors)
    {
        n += e.Value;
    }
    return n;
}
