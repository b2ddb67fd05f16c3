using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Lab.Model.Tests;

/// <summary>Debian's real prometheus on 127.0.0.1 with a given configuration (and the files beside it), queried over its HTTP API.</summary>
internal sealed class RealPrometheus : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder log = new();
    private readonly HttpClient http;

    /// <summary>Starts it in <paramref name="dir"/> on prometheus.yml, which the caller wrote there.</summary>
    public RealPrometheus(string dir)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("prometheus") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
        foreach (var arg in new[] { "--config.file=prometheus.yml", $"--storage.tsdb.path={Path.Combine(dir, "data")}", $"--web.listen-address=127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(arg);
        }
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException("prometheus is not installed; scripts/test installs it (apt-get install prometheus).");
        }
        process.OutputDataReceived += (_, e) => Log(e.Data);
        process.ErrorDataReceived += (_, e) => Log(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
    }

    public string Log()
    {
        lock (log)
        {
            return log.ToString();
        }
    }

    private void Log(string? line)
    {
        lock (log)
        {
            log.AppendLine(line);
        }
    }

    /// <summary>Whether the instant query has a result, asked until it does or patience runs out (a rate needs two scrapes).</summary>
    public async Task<bool> HasData(string expr, TimeSpan patience) => await Until(expr, patience, data: true);

    /// <summary>Whether the instant query comes back empty before patience runs out.</summary>
    public async Task<bool> Empties(string expr, TimeSpan patience) => await Until(expr, patience, data: false);

    private async Task<bool> Until(string expr, TimeSpan patience, bool data)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited:\n{Log()}");
            }
            try
            {
                var answer = JsonNode.Parse(await http.GetStringAsync($"api/v1/query?query={Uri.EscapeDataString(expr)}"))!;
                Assert.Equal("success", (string)answer["status"]!);
                if (answer["data"]!["result"] is JsonArray { Count: > 0 } == data)
                {
                    return true;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                // Not listening yet.
            }
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }
            await Task.Delay(500);
        }
    }

    public static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        process.Dispose();
        http.Dispose();
    }
}
