using System.Globalization;
using System.Text.RegularExpressions;

namespace Lab.Model.Text;

/// <summary>Vault-style durations: "24h", "90m", "30s", "1h30m", or plain seconds.</summary>
public static partial class Duration
{
    public static bool TryParseSeconds(string text, out int seconds)
    {
        seconds = 0;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out seconds))
        {
            return true;
        }
        var match = Parts().Match(text);
        if (!match.Success || text.Length == 0)
        {
            return false;
        }
        long total = 0;
        foreach (Capture part in match.Groups[1].Captures)
        {
            var unit = part.Value[^1];
            var value = long.Parse(part.Value[..^1], CultureInfo.InvariantCulture);
            total += value * unit switch { 'h' => 3600, 'm' => 60, _ => 1 };
        }
        if (total > int.MaxValue)
        {
            return false;
        }
        seconds = (int)total;
        return true;
    }

    /// <summary>Seconds back to the shortest h/m/s form (86400 → 24h).</summary>
    public static string Format(int seconds) =>
        seconds == 0 ? "0s"
        : seconds % 3600 == 0 ? $"{seconds / 3600}h"
        : seconds % 60 == 0 ? $"{seconds / 60}m"
        : $"{seconds}s";

    [GeneratedRegex(@"\A(\d{1,9}[hms])+\z")]
    private static partial Regex Parts();
}
