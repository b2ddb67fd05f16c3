using System.Text;

namespace Lab.Model.Text;

public static class Systemd
{
    /// <summary>
    /// The unit name for a path, as `systemd-escape --path` makes it: /mnt/nfs/data-sets → mnt-nfs-data\x2dsets.
    /// A mount unit must be named after its Where=, or systemd refuses it.
    /// </summary>
    public static string EscapePath(string path)
    {
        var trimmed = path.Trim('/');
        if (trimmed.Length == 0)
        {
            return "-";
        }
        var name = new StringBuilder();
        for (var i = 0; i < trimmed.Length; i++)
        {
            var c = trimmed[i];
            if (c == '/')
            {
                name.Append('-');
            }
            else if (char.IsAsciiLetterOrDigit(c) || c is ':' or '_' || (c == '.' && i > 0))
            {
                name.Append(c);
            }
            else
            {
                foreach (var b in Encoding.UTF8.GetBytes(c.ToString()))
                {
                    name.Append($"\\x{b:x2}");
                }
            }
        }
        return name.ToString();
    }

    /// <summary>
    /// A value on a unit file's KEY=VALUE line, taken literally: specifiers ("%n") are doubled, and a value that could
    /// end the line or continue it is refused (validation keeps control characters out of the stack).
    /// </summary>
    public static string Value(string value) =>
        value.Any(char.IsControl) || value.EndsWith('\\')
            ? throw new ArgumentException("A systemd unit value cannot hold control characters or end in a backslash.")
            : value.Replace("%", "%%", StringComparison.Ordinal);
}
