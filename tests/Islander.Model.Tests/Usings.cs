namespace Islander.Model.Tests;
