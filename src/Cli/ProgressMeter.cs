using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace TypedHttp.Cli;

/// <summary>A one-line progress meter on standard error (only when writing to a file and stderr is a terminal).</summary>
internal sealed class ProgressMeter
{
    private readonly TextWriter _stderr;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastDraw = -1000;
    private long _received;
    private long? _total;

    public ProgressMeter(TextWriter stderr) => _stderr = stderr;

    public void Update(long received, long? total)
    {
        _received = received;
        _total = total;
        if (_clock.ElapsedMilliseconds - _lastDraw >= 250)
        {
            _lastDraw = _clock.ElapsedMilliseconds;
            Draw();
        }
    }

    public void Finish()
    {
        Draw();
        _stderr.Write('\n');
    }

    private void Draw()
    {
        double seconds = _clock.Elapsed.TotalSeconds;
        string rate = seconds > 0 ? Size(_received / seconds) + "/s" : "";
        string percent = _total is long t && t > 0 ? (100 * _received / t).ToString(CultureInfo.InvariantCulture) + "% of " + Size(t) : "";
        _stderr.Write(string.Create(CultureInfo.InvariantCulture, $"\r  {Size(_received),10} received  {percent,-16} {rate,12}  {seconds,6:0.0}s "));
    }

    private static string Size(double bytes) => bytes switch
    {
        < 1024 => bytes.ToString("0", CultureInfo.InvariantCulture) + " B",
        < 1024 * 1024 => (bytes / 1024).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        < 1024L * 1024 * 1024 => (bytes / 1024 / 1024).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        _ => (bytes / 1024 / 1024 / 1024).ToString("0.0", CultureInfo.InvariantCulture) + " GiB",
    };
}
