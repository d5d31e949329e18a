using System;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace TypedHttp.Cli;

/// <summary>
/// <c>-u user</c> without a password: curl asks for it on the terminal (<c>Enter host password for user 'user':</c>),
/// with echo off. thttp asks on the console when standard input is a terminal, else on <c>/dev/tty</c> when the
/// process has one; without a terminal it fails clearly (<see cref="Resolve"/>).
/// </summary>
internal static class PasswordPrompt
{
    /// <summary>
    /// Completes <see cref="CliOptions.User"/> when it names a user without a password: asks through
    /// <paramref name="read"/> with curl's prompt and appends the answer.
    /// </summary>
    /// <exception cref="CliFailure">There is no terminal to ask on (curl's exit 2, failed initialization).</exception>
    public static void Resolve(CliOptions options, Func<string, string?>? read)
    {
        if (options.User is not string user || user.Contains(':'))
        {
            return;
        }
        string? password = read?.Invoke($"Enter host password for user '{user}':");
        if (password is null)
        {
            throw new CliFailure(ExitCodes.Usage,
                $"-u {user} gives no password and there is no terminal to ask for it on; give it as -u {user}:PASSWORD (or -u {user}: for an empty one)");
        }
        options.User = user + ":" + password;
    }

    /// <summary>Writes <paramref name="prompt"/> to standard error and reads a line with echo off; null without a terminal.</summary>
    public static string? FromTerminal(string prompt)
    {
        if (!Console.IsInputRedirected)
        {
            Console.Error.Write(prompt);
            string line = ReadConsoleWithoutEcho();
            Console.Error.Write('\n');
            return line;
        }
        return OperatingSystem.IsWindows() ? null : FromDevTty(prompt);
    }

    private static string ReadConsoleWithoutEcho()
    {
        var text = new StringBuilder();
        while (true)
        {
            ConsoleKeyInfo key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                return text.ToString();
            }
            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0)
                {
                    text.Length--;
                }
            }
            else if (key.KeyChar != '\0')
            {
                text.Append(key.KeyChar);
            }
        }
    }

    /// <summary>Standard input is redirected (<c>-d @-</c>): ask on the controlling terminal, as curl does.</summary>
    private static string? FromDevTty(string prompt)
    {
        FileStream tty;
        try
        {
            tty = new FileStream("/dev/tty", FileMode.Open, FileAccess.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // no controlling terminal
        }
        using (tty)
        {
            bool echoOff = Stty("-echo");
            try
            {
                byte[] text = Encoding.UTF8.GetBytes(prompt);
                tty.Write(text);
                tty.Flush();
                var line = new MemoryStream();
                int b;
                while ((b = tty.ReadByte()) >= 0 && b != '\n')
                {
                    if (b != '\r')
                    {
                        line.WriteByte((byte)b);
                    }
                }
                tty.WriteByte((byte)'\n');
                return Encoding.UTF8.GetString(line.ToArray());
            }
            finally
            {
                if (echoOff)
                {
                    Stty("echo");
                }
            }
        }
    }

    private static bool Stty(string setting)
    {
        try
        {
            var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("stty " + setting + " < /dev/tty");
            using var p = Process.Start(start);
            p?.WaitForExit();
            return p?.ExitCode == 0;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return false;
        }
    }
}
