using Lab.Infra;
using Lab.Model.Spec;
using Pulumi;
using Pulumi.Testing;

namespace Lab.Plan;

/// <summary>Runs the real Pulumi program for one stack file under mocks: no CLI, network, lab or credentials.</summary>
public static class PlanRunner
{
    public const string Project = "lab-infra";

    // The program reads its config from the process environment, as under the Pulumi CLI: one plan at a time.
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);

    /// <summary>Validates the stack's spec first (errors: <see cref="LabConfigException"/>), then plans.</summary>
    public static async Task<IReadOnlyList<PlannedResource>> RunAsync(StackFile file, PlanMocks? mocks = null)
    {
        LabSpecLoader.Load(file.Stack, file.Config, file.SecretKeys);
        mocks ??= new PlanMocks();
        await WithProgramEnvironment(file, () => Deployment.TestWithServiceProviderAsync<LabStack>(mocks,
            new StackFactory(() => new LabStack(mocks.StackOptions())), Options(file)));
        return mocks.Resources(file.Stack, Project);
    }

    /// <summary>The test options of a preview of this stack, as the offline plan runs it.</summary>
    public static TestOptions Options(StackFile file) => new() { ProjectName = Project, StackName = file.Stack, IsPreview = true };

    /// <summary>Runs <paramref name="run"/> with the stack's config in the environment, as the Pulumi CLI provides it; one at a time.</summary>
    public static async Task WithProgramEnvironment(StackFile file, Func<Task> run)
    {
        var environment = file.ProgramEnvironment();
        await OneAtATime.WaitAsync();
        try
        {
            foreach (var (name, value) in environment)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
            await run();
        }
        finally
        {
            foreach (var name in environment.Keys)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
            OneAtATime.Release();
        }
    }

    private sealed class StackFactory(Func<Stack> create) : IServiceProvider
    {
        public object? GetService(Type serviceType) => create();
    }
}
