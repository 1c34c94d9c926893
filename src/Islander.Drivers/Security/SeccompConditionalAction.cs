namespace Islander.Drivers.Security;

/// <summary>A return value taken when every condition holds (the conditions of one profile rule).</summary>
internal sealed record SeccompConditionalAction(IReadOnlyList<SeccompArgCondition> Conditions, SeccompReturn Return);
