namespace Islander.Controller.Metrics;

/// <summary>A health check's answer: <see cref="Ok"/> is 200, else 503; <see cref="Message"/> says why, for people.</summary>
public sealed record HealthAnswer(bool Ok, string Message);
