namespace Islander.Model;

/// <summary>islanderd's minimum log level (<c>logLevel</c> in the config file); Serilog's names, least to most severe.</summary>
public enum DaemonLogLevel
{
    Verbose,
    Debug,
    Information,
    Warning,
    Error,
    Fatal,
}
