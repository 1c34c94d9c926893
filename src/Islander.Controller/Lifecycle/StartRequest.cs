using Islander.Model;

namespace Islander.Controller.Lifecycle;

/// <summary>The spec to start an isle with, its hash (to notice changes) and the desired object's generation.</summary>
public sealed record StartRequest(IsleSpec Spec, string SpecHash, long Generation);
