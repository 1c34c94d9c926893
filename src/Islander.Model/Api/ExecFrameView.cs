namespace Islander.Model.Api;

/// <summary>
/// One line of an exec's stream: a chunk of output (<see cref="Stream"/> stdout or stderr, <see cref="Data"/> in
/// base64), then the end: <see cref="ExitCode"/> and <see cref="Signal"/>, or, when islanderd failed after the output
/// had begun, exit code 125 with <see cref="Reason"/> and <see cref="Message"/>.
/// </summary>
public sealed record ExecFrameView(string? Stream = null, string? Data = null, int? ExitCode = null, int? Signal = null, string? Reason = null,
    string? Message = null);
