namespace Lab.Model.Tests;

/// <summary>Certificates made with the real openssl in a test's directory: a CA, and a server certificate it signs for 127.0.0.1.</summary>
internal static class TestCa
{
    /// <summary>DIR/NAME.crt and DIR/NAME.key: a self-signed CA.</summary>
    public static void Make(string dir, string name) =>
        Run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", Path.Combine(dir, $"{name}.key"), "-subj", $"/CN={name}", "-days", "2",
            "-out", Path.Combine(dir, $"{name}.crt"));

    /// <summary>DIR/NAME.crt and DIR/NAME.key: a server certificate for IP 127.0.0.1, signed by the CA DIR/CA.crt.</summary>
    public static void Server(string dir, string ca, string name)
    {
        string F(string file) => Path.Combine(dir, file);
        Run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", F($"{name}.key"), "-subj", $"/CN={name}", "-out", F($"{name}.csr"));
        File.WriteAllText(F("san.ext"), "subjectAltName=IP:127.0.0.1\n");
        Run("openssl", "x509", "-req", "-in", F($"{name}.csr"), "-CA", F($"{ca}.crt"), "-CAkey", F($"{ca}.key"), "-CAcreateserial",
            "-days", "2", "-extfile", F("san.ext"), "-out", F($"{name}.crt"));
    }

    private static void Run(string tool, params string[] args)
    {
        var (code, output) = Tools.Run(tool, args);
        Assert.True(code == 0, $"{tool}: {output}");
    }
}
