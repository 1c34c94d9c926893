namespace Islander.Integration.Tests;
