namespace Islander.Model;

/// <summary>What a <see cref="LabelRequirement"/> asks of one label, as Kubernetes' selection operators.</summary>
public enum SelectorOperator
{
    /// <summary><c>key</c>: the label is set, whatever its value.</summary>
    Exists,

    /// <summary><c>!key</c>: the label is not set.</summary>
    DoesNotExist,

    /// <summary><c>key=value</c> or <c>key==value</c>.</summary>
    Equals,

    /// <summary><c>key!=value</c>: also true where the label is not set, as in Kubernetes.</summary>
    NotEquals,

    /// <summary><c>key in (a,b)</c>.</summary>
    In,

    /// <summary><c>key notin (a,b)</c>: also true where the label is not set.</summary>
    NotIn,
}
