using Lab.Infra;
using Pulumi;

return await Deployment.RunAsync<LabStack>();
