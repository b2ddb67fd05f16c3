using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Lab.Model.Monitoring;

namespace Lab.Model.Tests;

/// <summary>Debian's prometheus-pushgateway on 127.0.0.1 at a free port; stopped on dispose.</summary>
internal sealed class RealPushgateway : IDisposable
{
    private readonly Process process;
    private readonly HttpClient http = new();

    public RealPushgateway()
    {
        Port = FreePort();
        var start = new ProcessStartInfo("prometheus-pushgateway") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add($"--web.listen-address=127.0.0.1:{Port}");
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException("prometheus-pushgateway is not installed; scripts/test installs it (apt-get install prometheus-pushgateway).");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        for (var i = 0; ; i++)
        {
            try
            {
                if (http.GetAsync($"http://127.0.0.1:{Port}/-/ready").Result.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (AggregateException) when (i < 100)
            {
            }
            Thread.Sleep(100);
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public int Port { get; }

    public string Metrics() => http.GetStringAsync($"http://127.0.0.1:{Port}/metrics").Result;

    public HttpStatusCode Put(string job, string text) =>
        http.PutAsync($"http://127.0.0.1:{Port}{PushedMetrics.GroupPath(job)}", new StringContent(text)).Result.StatusCode;

    public void Dispose()
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
        http.Dispose();
    }
}
