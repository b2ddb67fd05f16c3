using Lab.Model.Spec;
using Lab.Plan;

// scripts/plan FILE: the offline plan of one stack file.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: scripts/plan FILE   (FILE: a stack file such as Pulumi.dev.yaml or stacks/Pulumi.prod.yaml)");
    return 2;
}
try
{
    var file = StackFile.Read(args[0]);
    var resources = await PlanRunner.RunAsync(file);
    Console.Out.Write(PlanPrinter.Print(file, resources));
    return 0;
}
catch (LabConfigException e)
{
    Console.Error.Write(PlanPrinter.Errors(e));
    return 1;
}
