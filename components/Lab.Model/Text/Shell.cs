using System.Security.Cryptography;
using System.Text;

namespace Lab.Model.Text;

public static class Shell
{
    /// <summary>POSIX single-quoting: the value reaches the script as one literal word.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Hex SHA-256 of the text: a step's identity in its triggers.</summary>
    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
