using System.Text;

namespace Lab.Model.Text;

/// <summary>The one quoting of values into an NFS exports file (exports(5)).</summary>
public static class Exports
{
    /// <summary>
    /// An export path as one field: every character outside letters, digits and "/._-+" written as a backslash and
    /// its three octal digits, as exports(5) documents ("\040" for a space), so no value can add a client or option.
    /// </summary>
    public static string Path(string path)
    {
        var text = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(path))
        {
            var c = (char)b;
            text.Append(b < 0x80 && (char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+') ? c.ToString() : $"\\{Convert.ToString(b, 8).PadLeft(3, '0')}");
        }
        return text.ToString();
    }
}
