namespace Islander.Controller.Lifecycle;

/// <summary>A stop the user asked for (<c>islanderctl stop</c>, <c>POST isles/{name}/stop</c>).</summary>
/// <param name="At">When it was asked, for the status message ("stopped by islanderctl stop at ...").</param>
/// <param name="Timeout">How long to wait after the stop signal before SIGKILL (<c>-t</c>); null: the spec's stopTimeout.</param>
/// <param name="Verb">The islanderctl verb that asked (stop, restart), for the status message.</param>
public sealed record UserStop(DateTimeOffset At, TimeSpan? Timeout = null, string Verb = "stop");
