namespace Lab.Model.Artifacts;

/// <summary>A file Lab.Model renders for the lab: what a component puts on the wire, readable by an operator.</summary>
/// <param name="Path">Relative path: component/target/file, e.g. bare-metal-node/derpy/20-os.sh.</param>
public sealed record Artifact(string Path, string Content)
{
    public string Hash => Text.Shell.Sha256(Content);
}
