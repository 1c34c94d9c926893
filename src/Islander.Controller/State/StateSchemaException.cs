using Islander.Model;

namespace Islander.Controller.State;

/// <summary>
/// The state database cannot be used by this islanderd: it was written by a newer one, or a migration failed. The
/// message names the file, the versions and what to do; the file is left as it was.
/// </summary>
public sealed class StateSchemaException(string message, Exception? inner = null)
    : IslanderException(message, ErrorCategory.Unsupported, inner);
