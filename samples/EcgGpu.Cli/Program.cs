using EcgGpu.Cli;

return EcgTool.Root().Parse(args).Invoke();
