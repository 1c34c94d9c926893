namespace Islander.Model.Tests.Selection;

public class LabelSelectorTests
{
    static readonly Dictionary<string, string> Web = new() { ["app"] = "web", ["tier"] = "front", ["islander.io/team"] = "a" };
    static readonly Dictionary<string, string> Db = new() { ["app"] = "db", ["tier"] = "back" };
    static readonly Dictionary<string, string> None = new();

    [Theory]
    [InlineData("app=web", true, false, false)]
    [InlineData("app==web", true, false, false)]
    [InlineData("app!=web", false, true, true)]        // != selects objects without the label too, as Kubernetes
    [InlineData("app=web,tier=front", true, false, false)]
    [InlineData("app=web,tier!=front", false, false, false)]
    [InlineData("tier", true, true, false)]
    [InlineData("!tier", false, false, true)]
    [InlineData("app in (web,db)", true, true, false)]
    [InlineData("app notin (web)", false, true, true)]
    [InlineData(" app = web , tier in ( front , x ) ", true, false, false)]
    [InlineData("islander.io/team=a", true, false, false)]
    [InlineData("", true, true, true)]
    public void Matches_Kubernetes_Semantics(string text, bool web, bool db, bool none)
    {
        Assert.True(LabelSelector.TryParse(text, out var selector, out var error), error);
        Assert.Equal(web, selector.Matches(Web));
        Assert.Equal(db, selector.Matches(Db));
        Assert.Equal(none, selector.Matches(None));
    }

    [Fact]
    public void Matches_EmptyValue_SelectsEmptyLabel()
    {
        var selector = LabelSelector.Parse("flag=");
        Assert.True(selector.Matches(new Dictionary<string, string> { ["flag"] = "" }));
        Assert.False(selector.Matches(new Dictionary<string, string> { ["flag"] = "x" }));
    }

    [Theory]
    [InlineData("app=web,", 9, "a label key is missing")]
    [InlineData("app=web,,tier", 9, "expected a label key, found \",\"")]
    [InlineData("app=we b", 8, "unexpected \"b\" after app=we")]
    [InlineData("app in (a", 10, "needs a closing \")\"")]
    [InlineData("app in a", 8, "takes a set of values in parentheses")]
    [InlineData("app in ()", 9, "is empty")]
    [InlineData("app>3", 4, "compares numbers")]
    [InlineData("app=web!", 8, "unexpected \"!\"")]
    [InlineData("-app=web", 1, "\"-app\" is not a valid label key")]
    [InlineData("app=-web", 5, "\"-web\" is not a valid label value")]
    [InlineData("app is web", 5, "unexpected \"is\" after the key app")]
    [InlineData("!app=web", 5, "\"!app\" takes no operator")]
    [InlineData("=web", 1, "expected a label key, found \"=\"")]
    public void TryParse_BadSelector_SaysWhatWhereAndHow(string text, int character, string what)
    {
        Assert.False(LabelSelector.TryParse(text, out _, out var error));
        Assert.StartsWith($"label selector \"{text}\": at character {character}: ", error);
        Assert.Contains(what, error);
        Assert.EndsWith(LabelSelector.Syntax, error);
    }

    [Fact]
    public void Parse_BadSelector_ThrowsInvalidManifest()
    {
        var e = Assert.Throws<IslanderException>(() => LabelSelector.Parse("a b"));
        Assert.Equal(ErrorCategory.InvalidManifest, e.Category);
    }

    [Fact]
    public void ToString_IsCanonical()
    {
        Assert.Equal("app=web,tier!=x,env in (a,b),!gpu,ssd", LabelSelector.Parse("app==web, tier != x,env in (a, b), !gpu ,ssd").ToString());
    }
}
