using EcgGpu.Cli;

return EcgTool.Invoke(args);
