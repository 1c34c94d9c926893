namespace Islander.Model;

/// <summary>
/// What a <c>dependsOn</c> entry waits for before the dependent's first start: <see cref="Running"/> (a plain name;
/// a finished one-shot counts too) or <see cref="Healthy"/> (Compose's <c>service_healthy</c>; the dependency must
/// have a healthcheck).
/// </summary>
public enum DependencyCondition { Running, Healthy }
