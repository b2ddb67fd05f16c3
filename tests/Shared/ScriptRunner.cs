using System.Diagnostics;

namespace Lab.Tests.Shared;

/// <summary>What a script run left: its exit status and what it printed on each stream.</summary>
internal sealed record ScriptRun(int Code, string Stdout, string Stderr)
{
    /// <summary>Both streams, stdout first, as an operator reading a terminal would see them (minus interleaving).</summary>
    public string Output => Stdout + Stderr;
}

/// <summary>
/// Runs a script or tool the way the tests need it run (shared by the test projects): STDIN fed and then
/// closed, the STAND-IN folders first on PATH so they answer in place of the real tools, extra
/// environment, and a timeout that kills the whole process tree and says what the script printed.
/// </summary>
internal static class ScriptRunner
{
    public static ScriptRun Run(
        IReadOnlyList<string> command,
        string stdin = "",
        IEnumerable<string>? standIns = null,
        IReadOnlyDictionary<string, string>? environment = null,
        TimeSpan? timeout = null,
        string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var arg in command.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["PATH"] = string.Join(':', [.. standIns ?? [], Environment.GetEnvironmentVariable("PATH")]);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        var limit = timeout ?? TimeSpan.FromMinutes(2);
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"{string.Join(' ', command)} ran past {limit.TotalSeconds}s:\n{stdout.Result}{stderr.Result}");
        }
        return new ScriptRun(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Writes an executable stand-in NAME with BODY (a script with its #! line) into DIR, which the run puts first on PATH.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static void StandIn(string dir, string name, string body)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, body);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}
