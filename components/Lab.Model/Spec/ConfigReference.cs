using System.Globalization;
using System.Text;
using Lab.Model.Monitoring;

namespace Lab.Model.Spec;

/// <summary>
/// docs/configuration.md, rendered from <see cref="ConfigCatalog"/> and <see cref="AlertCatalog"/>: the
/// reference says what the loader checks because it is made from what the loader checks with.
/// </summary>
public static class ConfigReference
{
    public static string Markdown()
    {
        var page = new StringBuilder();
        page.Append($"""
            # Configuration reference

            <!-- Rendered from components/Lab.Model/Spec/ConfigCatalog.cs by scripts/render-docs: edit the catalogue, not this page. -->

            Every `lab:` key of a stack file (`Pulumi.dev.yaml`, `stacks/Pulumi.STACK.yaml`), grouped as the stack files
            write them. The loader checks each stack against exactly these keys, defaults and limits before any resource is
            touched, and every error it reports links the row of its key here.

            - `[]` stands for any item of a list (`lab:nodes[].host` is the host of every node); `<name>` for a name you choose.
            - **required**: the key must be set when its parent is. A default is what a key left out means.
            - **secret** keys are set with `pulumi config set --secret`; the loader refuses them in plain text, and refuses
              `--secret` on every other key.
            - Set a nested value with `pulumi config set --path 'lab:ssh.port' 2222 --stack STACK` (add
              `--config-file stacks/Pulumi.STACK.yaml` for every stack but dev).


            """);
        foreach (var key in ConfigCatalog.Keys)
        {
            var top = ConfigCatalog.At(key);
            page.Append($"## {key}\n\n{top.Description}\n\n");
            page.Append("| Key | Type | Default | Limits | What it does |\n|---|---|---|---|---|\n");
            foreach (var setting in ConfigCatalog.Settings.Where(s => s.Path == key || s.Path.StartsWith(key + ".", StringComparison.Ordinal) || s.Path.StartsWith(key + "[", StringComparison.Ordinal)))
            {
                page.Append($"| <a id=\"{setting.Anchor}\"></a>`{Cell(setting.Path)}` | {Cell(setting.Type + (setting.Secret ? ", **secret**" : ""))} | {Cell(Default(setting))} | {Cell(setting.Limits)} | {Cell(setting.Description)} |\n");
            }
            page.Append('\n');
            if (key == ConfigKeys.Alerts)
            {
                Alerts(page);
            }
        }
        return page.ToString();
    }

    private static string Default(ConfigSetting setting) =>
        setting.Required ? "**required**" : setting.Default is null ? "" : $"`{setting.Default}`";

    /// <summary>Each alert's defaults: what lab:alerts.rules.&lt;alert&gt; overrides.</summary>
    private static void Alerts(StringBuilder page)
    {
        page.Append("### Alerts\n\nThe alerts `lab:alerts.rules.<alert>` tunes, with their defaults. Each has a runbook in [runbooks/](runbooks/).\n\n");
        page.Append("| Alert | Threshold | Range | For | Severity |\n|---|---|---|---|---|\n");
        foreach (var alert in AlertCatalog.All)
        {
            var range = alert.Range is { } r ? $"{Number(r.Min)} to {Number(r.Max)} {r.Unit}".TrimEnd() : "none";
            var threshold = alert.Threshold is { } t ? Number(t) : "";
            page.Append($"| [{alert.Alert}](runbooks/{alert.Runbook}) | {threshold} | {Cell(range)} | {alert.For} | {alert.Severity} |\n");
        }
        page.Append('\n');
    }

    private static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A table cell: '|' would end it.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
