using System.Text;

namespace Lab.Plan;

/// <summary>
/// Committed offline plans of the shipped stacks (secrets masked): a pull request shows what it
/// changes in the lab even where no one can run `pulumi preview`.
/// </summary>
public static class PlanSnapshots
{
    public static string PathFor(string stack) => $"stacks/plans/{stack}.plan.txt";

    /// <summary>A readable line diff ("- " snapshot, "+ " current) with two lines of context; empty when equal.</summary>
    public static string Diff(string snapshot, string current)
    {
        if (snapshot == current)
        {
            return "";
        }
        var a = snapshot.Split('\n');
        var b = current.Split('\n');
        // Longest common subsequence over lines: plans are a few thousand lines at most.
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }
        var ops = new List<(char Op, string Line)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                ops.Add((' ', a[x++]));
                y++;
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] > lcs[x + 1, y]))
            {
                ops.Add(('+', b[y++]));
            }
            else
            {
                ops.Add(('-', a[x++]));
            }
        }
        var shown = new HashSet<int>(ops.Select((o, k) => (o.Op, k)).Where(o => o.Op != ' ')
            .SelectMany(o => Enumerable.Range(o.k - 2, 5)).Where(k => k >= 0 && k < ops.Count));
        var text = new StringBuilder();
        foreach (var k in shown.Order())
        {
            if (k > 0 && !shown.Contains(k - 1))
            {
                text.Append("...\n");
            }
            text.Append(ops[k].Op).Append(' ').Append(ops[k].Line).Append('\n');
        }
        return text.ToString();
    }
}
