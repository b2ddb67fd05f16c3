using System.Diagnostics;
using Lab.Model.Spec;

namespace Lab.Plan;

/// <summary>A command line the plan cannot act on (a missing file, an unknown revision): one line, no stack trace.</summary>
public sealed class PlanInputException(string message) : Exception(message);

/// <summary>The BASE of `scripts/plan --diff BASE FILE`: a stack file, or git:REV for FILE as it was at a revision.</summary>
public static class DiffBase
{
    public static StackFile ReadFile(string path) =>
        File.Exists(path) ? StackFile.Read(path) : throw new PlanInputException($"no stack file {path}: name an existing file such as Pulumi.dev.yaml or stacks/Pulumi.prod.yaml.");

    /// <summary>Reads BASE for FILE; a revision is read with `git show REV:./FILE` in the working directory's repository.</summary>
    public static (StackFile File, string Label) Read(string baseArg, StackFile file)
    {
        if (!baseArg.StartsWith("git:", StringComparison.Ordinal))
        {
            return (ReadFile(baseArg), baseArg);
        }
        var rev = baseArg["git:".Length..];
        if (rev.Length == 0 || rev.StartsWith('-') || Git("rev-parse", "--verify", "--quiet", "--end-of-options", $"{rev}^{{commit}}").Code != 0)
        {
            throw new PlanInputException($"unknown revision '{rev}' in {baseArg}: name a commit, branch or tag, e.g. git:main or git:HEAD~1.");
        }
        var (code, yaml) = Git("show", $"{rev}:./{Path.GetRelativePath(Directory.GetCurrentDirectory(), file.Path)}");
        if (code != 0)
        {
            throw new PlanInputException($"{file.Path} does not exist at revision '{rev}': pick a revision that has it, or give BASE as a stack file.");
        }
        return (StackFile.Parse(file.Stack, $"{file.Path}@{rev}", yaml), $"{file.Path} at {rev}");
    }

    /// <summary>The plan of BASE. Its configuration errors are the base's and said so: they are not the stack's.</summary>
    public static async Task<IReadOnlyList<PlannedResource>> PlanAsync(StackFile baseFile, string label)
    {
        try
        {
            return await PlanRunner.RunAsync(baseFile);
        }
        catch (LabConfigException e)
        {
            throw new PlanInputException($"the base {label} does not load, so there is nothing to diff against (these errors are the base's, not the stack's); pick a base whose stack loads:\n" +
                string.Join('\n', e.Errors.Select(error => $"  - {error}")));
        }
    }

    private static (int Code, string Output) Git(params string[] args)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var git = Process.Start(start) ?? throw new PlanInputException("git could not be started: install git to diff against a revision.");
        var output = git.StandardOutput.ReadToEndAsync();
        git.StandardError.ReadToEnd();
        git.WaitForExit();
        return (git.ExitCode, output.Result);
    }
}
