namespace Lab.Model.Nodes;

/// <summary>The first step of every machine's chain: wait until it answers and has booted.</summary>
public static class Readiness
{
    public static StepScript Step(string component, string target) =>
        StepScript.Render(component, target, "ready", "wait until the machine has booted", data: null, "Nodes/ready.sh") with { WaitsForBoot = true };
}
