namespace Islander.Cli;

/// <summary>
/// <c>islanderctl run</c>'s exit codes besides the isle's own (which is 128 + signal for a signal): Docker's and the
/// shells' (<c>docker run --help</c>, bash's "Exit Status").
/// </summary>
static class RunExitCodes
{
    /// <summary>islander itself failed: a bad flag, no daemon, the isle could not be created or started.</summary>
    public const int IslanderFailed = 125;
    /// <summary>The command exists but cannot be executed (not executable, bad format).</summary>
    public const int CommandNotExecutable = 126;
    /// <summary>The command does not exist in the isle's root filesystem.</summary>
    public const int CommandNotFound = 127;
    /// <summary>Interrupted by Ctrl-C: 128 + SIGINT.</summary>
    public const int Interrupted = 130;
}
