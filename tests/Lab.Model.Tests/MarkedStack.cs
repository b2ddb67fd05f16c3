using Lab.Model.Spec;

namespace Lab.Model.Tests;

/// <summary>Stacks with a chosen marker in every free string, for proving where values land in what is rendered.</summary>
internal static class MarkedStack
{
    /// <summary>The prod stack with the marker in every free string (names, models, paths, versions, addresses), references kept consistent.</summary>
    public static LabSpec Load(string marker)
    {
        var yaml = File.ReadAllText(Repo.ProdFile);
        (string, string)[] swaps =
        [
            ("Xeon ", $"Xeon {marker} "), ("RTX A", $"RTX {marker} A"),
            ("zenon", $"{marker}zenon"), ("gemini-1", $"{marker}-gemini-1"), ("derpy", $"{marker}-derpy"), ("rocinate", $"{marker}-rocinate"),
            ("name: qnap", $"name: {marker}-qnap"), ("QNAP 8-bay", $"QNAP {marker}"),
            ("/share/lab/", $"/share/{marker}/"),
            ("datasets", $"{marker}-datasets"), ("models", $"{marker}-models"), ("results", $"{marker}-results"), ("logs", $"{marker}-logs"), ("jobs", $"{marker}-jobs"),
            ("user: labops", $"user: {marker}"), ("ai-lab-ca.crt", $"{marker}-ca.crt"),
            ("ngc", $"{marker}-ngc"), ("huggingface", $"{marker}-hf"), ("meta]", $"{marker}-meta]"), ("name: meta", $"name: {marker}-meta"),
            ("api_key", $"{marker}_key"), ("[token]", $"[{marker}_token]"), ("field: token", $"field: {marker}_token"),
            ("kvMount: secret", $"kvMount: {marker}kv"), ("appRoleMount: approle", $"appRoleMount: {marker}approle"),
            ("compute-node", $"{marker}-compute"), ("validation-job", $"{marker}-validation"), ("name: operator", $"name: {marker}-operator"),
            ("registry: 192.168.50.20:5000", $"registry: {marker}.lab:5000"), ("lab/gpu-burn", $"{marker}/gpu-burn"), ("lab/probe-tools", $"{marker}/probe-tools"), ("lab/rapids", $"{marker}/rapids"),
            ("git.lab.internal", $"{marker}.lab.internal"), ("meta/llama3-8b-instruct", $"meta/{marker}-8b"), ("8000/v1", $"8000/{marker}/v1"), ("4.5-1ubuntu4.2", $"4.5-1{marker}"), ("2build1", $"2{marker}"),
        ];
        foreach (var (from, to) in swaps)
        {
            yaml = yaml.Replace(from, to, StringComparison.Ordinal);
        }
        var file = StackFile.Parse("prod", "Pulumi.prod.yaml", yaml);
        return LabSpecLoader.Load(file.Stack, file.Config, file.SecretKeys);
    }
}
