using System.Diagnostics;
using Lab.Model.Monitoring;

namespace Lab.Model.Tests;

/// <summary>
/// The rendered blackbox configuration under Debian's real prometheus-blackbox-exporter: it loads, and its
/// vault_health module, given the lab CA, reports a sealed Vault (503) as probe_http_status_code 503, an unsealed
/// one (200, 429) as success, and a Vault whose certificate the CA did not sign as no answer (status 0); scraped by the
/// real prometheus with the lab's rules, a seal raises VaultSealed and an unseal clears it. Vault is
/// the stand-in tests/stand-ins/vault-api.py (TLS on 127.0.0.1).
/// </summary>
public sealed class BlackboxProbesTests : IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("lab-blackbox-");
    private readonly List<Process> started = [];

    private string F(string name) => Path.Combine(dir.FullName, name);

    [Fact]
    public void The_exporter_accepts_the_rendered_configuration()
    {
        File.WriteAllText(F("blackbox.yml"), BlackboxProbes.For(Repo.Prod()).Config());
        var (code, output) = Tools.Run("prometheus-blackbox-exporter", ["--config.check", $"--config.file={F("blackbox.yml")}"]);
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task A_sealed_vault_answers_503_and_raises_VaultSealed_an_unsealed_one_passes_and_an_untrusted_one_is_no_answer()
    {
        TestCa.Make(dir.FullName, "lab-ca");
        TestCa.Make(dir.FullName, "other-ca");
        TestCa.Server(dir.FullName, "lab-ca", "vault");
        File.WriteAllText(F("code"), "503");
        Start("python3", Path.Combine(Repo.Root, "tests", "stand-ins", "vault-api.py"), F("vault.port"), F("vault.crt"), F("vault.key"), F("code"));
        var vaultPort = await ReadPort(F("vault.port"));
        var probes = new BlackboxProbes($"https://127.0.0.1:{vaultPort}/v1/sys/health", "/unused-on-the-build-machine");

        var trusting = await Exporter(probes.Config(F("lab-ca.crt")));
        var sealed503 = await Probe(trusting, probes.VaultHealthUrl);
        Assert.Contains("probe_http_status_code 503", sealed503);
        Assert.Contains("probe_success 0", sealed503);
        File.WriteAllText(F("code"), "200");
        var active = await Probe(trusting, probes.VaultHealthUrl);
        Assert.Contains("probe_http_status_code 200", active);
        Assert.Contains("probe_success 1", active);
        File.WriteAllText(F("code"), "429");
        Assert.Contains("probe_success 1", await Probe(trusting, probes.VaultHealthUrl));

        // The whole chain on real tools: Prometheus scrapes the exporter as the Probe object's job does and evaluates
        // the lab's rules (VaultSealed's `for` shortened through its stack key): sealing raises the alert, unsealing clears it.
        File.WriteAllText(F("code"), "503");
        var lab = Repo.ProdConfig().Edit(Lab.Model.Spec.ConfigKeys.Alerts, a => a["rules"]!.AsObject()["VaultSealed"] = new System.Text.Json.Nodes.JsonObject { ["for"] = "5s" }).Load();
        File.WriteAllText(F(AlertRuleGroups.FileName), AlertRuleGroups.Yaml(AlertRuleGroups.Groups(lab)));
        File.WriteAllText(F("prometheus.yml"), $"""
            global: {"{"}scrape_interval: 1s, evaluation_interval: 1s{"}"}
            rule_files: [{AlertRuleGroups.FileName}]
            scrape_configs:
              - job_name: probe/observability/{BlackboxProbes.VaultHealthJob}
                metrics_path: /probe
                params: {"{"}module: [{BlackboxProbes.VaultHealthModule}]{"}"}
                static_configs: [{"{"}targets: ['{probes.VaultHealthUrl}'], labels: {"{"}namespace: observability{"}"}{"}"}]
                relabel_configs:
                  - {"{"}target_label: job, replacement: {BlackboxProbes.VaultHealthJob}{"}"}
                  - {"{"}source_labels: [__address__], target_label: __param_target{"}"}
                  - {"{"}source_labels: [__param_target], target_label: instance{"}"}
                  - {"{"}target_label: __address__, replacement: '{trusting.Authority}'{"}"}
            """);
        using (var prometheus = new RealPrometheus(dir.FullName))
        {
            const string firing = "ALERTS{alertname=\"VaultSealed\",alertstate=\"firing\",namespace=\"observability\"}";
            Assert.True(await prometheus.HasData(firing, TimeSpan.FromSeconds(60)), $"VaultSealed never fired:\n{prometheus.Log()}");
            File.WriteAllText(F("code"), "200");
            Assert.True(await prometheus.Empties(firing, TimeSpan.FromSeconds(60)), $"VaultSealed never cleared:\n{prometheus.Log()}");
        }

        var distrusting = await Exporter(probes.Config(F("other-ca.crt")));
        var untrusted = await Probe(distrusting, probes.VaultHealthUrl);
        Assert.Contains("probe_http_status_code 0", untrusted);
        Assert.Contains("probe_success 0", untrusted);
    }

    private void Start(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        try
        {
            started.Add(Process.Start(start)!);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException($"{tool} is not installed; scripts/test installs it (apt-get install {tool}).");
        }
    }

    /// <summary>Starts the real exporter with this configuration on a free loopback port; returns its address.</summary>
    private async Task<Uri> Exporter(string config)
    {
        var file = F($"blackbox-{started.Count}.yml");
        File.WriteAllText(file, config);
        var port = RealPrometheus.FreePort();
        Start("prometheus-blackbox-exporter", $"--config.file={file}", $"--web.listen-address=127.0.0.1:{port}");
        var address = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient { BaseAddress = address };
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await http.GetStringAsync("-/healthy");
                return address;
            }
            catch (HttpRequestException) when (attempt < 100)
            {
                await Task.Delay(100);
            }
        }
    }

    private static async Task<string> Probe(Uri exporter, string target)
    {
        using var http = new HttpClient { BaseAddress = exporter };
        return await http.GetStringAsync($"probe?module={BlackboxProbes.VaultHealthModule}&target={Uri.EscapeDataString(target)}");
    }

    private static async Task<string> ReadPort(string file)
    {
        for (var attempt = 0; attempt < 100 && !File.Exists(file); attempt++)
        {
            await Task.Delay(100);
        }
        return File.ReadAllText(file);
    }

    public void Dispose()
    {
        foreach (var process in started)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
            process.Dispose();
        }
        dir.Delete(recursive: true);
    }
}
