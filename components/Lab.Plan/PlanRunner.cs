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
        await OneAtATime.WaitAsync();
        try
        {
            foreach (var (name, value) in file.ProgramEnvironment())
            {
                Environment.SetEnvironmentVariable(name, value);
            }
            await Deployment.TestWithServiceProviderAsync<LabStack>(mocks, new StackFactory(() => new LabStack(mocks.StackOptions())),
                new TestOptions { ProjectName = Project, StackName = file.Stack, IsPreview = true });
            return mocks.Resources(file.Stack, Project);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PULUMI_CONFIG", null);
            Environment.SetEnvironmentVariable("PULUMI_CONFIG_SECRET_KEYS", null);
            OneAtATime.Release();
        }
    }

    private sealed class StackFactory(Func<Stack> create) : IServiceProvider
    {
        public object? GetService(Type serviceType) => create();
    }
}
