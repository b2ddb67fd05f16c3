using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Lab.Model.Text;

public static class Shell
{
    /// <summary>POSIX single-quoting: the value reaches the script as one literal word.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Hex SHA-256 of the text: a step's identity in its triggers.</summary>
    public static string Sha256(string text)
    {
        // Encoded into a pooled buffer: every step of every node is hashed, and its UTF-8 copy was garbage at once.
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            return Convert.ToHexStringLower(SHA256.HashData(buffer.AsSpan(0, Encoding.UTF8.GetBytes(text, buffer))));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
