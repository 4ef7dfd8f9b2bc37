using Workflows.Server;

var app = WorkflowsApp.Build(args);
app.Run();

public partial class Program;
