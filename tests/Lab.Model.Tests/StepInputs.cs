using Lab.Model.Nodes;

namespace Lab.Model.Tests;

/// <summary>Reads a rendered step's data block: what the stack put into the script.</summary>
internal static class StepInputs
{
    /// <summary>The value of one data variable as the plan shows it (lists as "[a, b]").</summary>
    public static string Input(this StepScript step, string name) =>
        step.Inputs.SingleOrDefault(v => v.Name == name)?.Display
            ?? throw new Xunit.Sdk.XunitException($"{step.Target}/{step.Step} has no data value '{name}' (it has: {string.Join(", ", step.Inputs.Select(v => v.Name))}).");
}
