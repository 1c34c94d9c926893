namespace Islander.Controller.Desired;

/// <summary>What an apply did to one object (kubectl prints these words).</summary>
public enum ApplyOutcome { Created, Configured, Unchanged }
