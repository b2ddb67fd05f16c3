using Lab.Model.Artifacts;
using Lab.Model.Spec;

// scripts/render FILE DIR: every artifact Lab.Model renders for a stack file, one file each.
if (args is not ["render", var stackFile, var outDir])
{
    Console.Error.WriteLine("usage: scripts/render FILE DIR   (FILE: a stack file such as Pulumi.dev.yaml; DIR: where to write)");
    return 2;
}
try
{
    var file = StackFile.Read(stackFile);
    var lab = LabSpecLoader.Load(file.Stack, file.Config, file.SecretKeys);
    var count = 0;
    foreach (var artifact in LabArtifacts.Render(lab))
    {
        var path = Path.Combine(outDir, artifact.Path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, artifact.Content);
        Console.WriteLine($"{artifact.Hash[..12]}  {Path.Combine(outDir, artifact.Path)}");
        count++;
    }
    Console.WriteLine($"{count} artifacts for stack '{file.Stack}' in {outDir}");
    return 0;
}
catch (LabConfigException e)
{
    Console.Error.Write(e.Message + "\n");
    return 1;
}
