[assembly: AssemblyFixture(typeof(Islander.Testing.CgroupParentCleanup))]

namespace Islander.Integration.Tests;
