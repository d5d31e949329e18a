using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using TypedHttp.Generator.Tests.Infrastructure;

namespace TypedHttp.Generator.Tests;

/// <summary>
/// Generic interfaces: closed constructions created directly, as closed bases of a derived interface, two of one
/// generic in one compilation, one named only by [assembly: TypedHttpClientFor] in an assembly that references the
/// generic's, and one that nothing names.
/// </summary>
public sealed class GenericInterfaceTests : IClassFixture<GenericInterfaceTests.ClientFixture>
{
    private const string UserSource = GeneratorHarness.Usings + """
        using System.Linq;
        using System.Text.Json.Serialization;

        namespace App;

        public sealed record User(int Id, string Name);

        public sealed record Order(Guid Id, int Quantity);

        public interface ICrudApi<T, in TKey> where T : class
        {
            [Get("/{id}")] Task<T> Get(TKey id);
            [Post("")] Task<T> Create([Body] T item);
            [Get("")] Task<List<T>> List([Query] int page = 1);
        }

        [BasePath("/users")]
        public interface IUsersApi : ICrudApi<User, int>
        {
            [Get("/me")] Task<User> Me();
        }

        [JsonSerializable(typeof(User))]
        [JsonSerializable(typeof(Order))]
        [JsonSerializable(typeof(List<User>))]
        [JsonSerializable(typeof(List<Order>))]
        public partial class AppJson : JsonSerializerContext
        {
        }

        public static class Scenario
        {
            private static TypedHttpClientOptions Json(TypedHttpClientOptions options)
            {
                options.JsonSerializerOptions = AppJson.Default.Options;
                return options;
            }

            private static TApi Through<TApi>(TypedHttpClientOptions options) where TApi : class => TypedHttpClient.Create<TApi>(Json(options));

            public static async Task<string> GetOrder(TypedHttpClientOptions options, Guid id)
            {
                Order order = await TypedHttpClient.Create<ICrudApi<Order, Guid>>(Json(options)).Get(id);
                return order.Id + "x" + order.Quantity;
            }

            public static async Task<string> CreateUser(TypedHttpClientOptions options)
            {
                User user = await TypedHttpClient.Create<ICrudApi<User, int>>(Json(options)).Create(new User(0, "Ann"));
                return user.Id + ":" + user.Name;
            }

            public static async Task<string> ListUsers(TypedHttpClientOptions options)
            {
                List<User> users = await TypedHttpClient.Create<ICrudApi<User, int>>(Json(options)).List(3);
                return string.Join(",", users.Select(u => u.Name));
            }

            public static async Task<string> DerivedMe(TypedHttpClientOptions options)
            {
                IUsersApi api = TypedHttpClient.Create<IUsersApi>(Json(options));
                User me = await api.Me();
                User seven = await api.Get(7);
                return me.Name + "," + seven.Name;
            }

            public static async Task<string> Unnamed(TypedHttpClientOptions options)
            {
                await Through<ICrudApi<Order, long>>(options).Get(1);
                return "sent";
            }
        }
        """;

    private const string LibrarySource = GeneratorHarness.Usings + """
        namespace Lib;

        public interface IReadApi<T> where T : class
        {
            [Get("/items/{id}")] Task<T> Get(long id);
        }
        """;

    private const string ConsumerSource = GeneratorHarness.Usings + """
        [assembly: TypedHttpClientFor(typeof(Lib.IReadApi<Consumer.Invoice>))]

        namespace Consumer;

        public sealed record Invoice(long Number, decimal Total);

        [System.Text.Json.Serialization.JsonSerializable(typeof(Invoice))]
        public partial class ConsumerJson : System.Text.Json.Serialization.JsonSerializerContext
        {
        }

        public static class Scenario
        {
            // A generic helper: the generator cannot see the construction here, the assembly attribute names it.
            private static TApi Through<TApi>(TypedHttpClientOptions options) where TApi : class
            {
                options.JsonSerializerOptions = ConsumerJson.Default.Options;
                return TypedHttpClient.Create<TApi>(options);
            }

            public static async Task<string> GetInvoice(TypedHttpClientOptions options)
            {
                Invoice invoice = await Through<Lib.IReadApi<Invoice>>(options).Get(12);
                return invoice.Number + "=" + invoice.Total.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        """;

    private readonly ClientFixture _fixture;

    public GenericInterfaceTests(ClientFixture fixture) => _fixture = fixture;

    /// <summary>Generates, compiles and loads the user source once for all tests of this class.</summary>
    public sealed class ClientFixture() : CompiledClientFixture(UserSource, withJsonGenerator: true);

    private static (TypedHttpClientOptions Options, RecordingTransport Transport) Options(string responseBody)
    {
        var transport = new RecordingTransport { ResponseBody = responseBody };
        return (new TypedHttpClientOptions { BaseAddress = new Uri("http://example.test/api"), Transport = transport }, transport);
    }

    [Fact]
    public async Task Closed_construction_created_directly_formats_its_key_type()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options("""{"Id":"0f8fad5b-d9cb-469f-a165-70867728950e","Quantity":3}""");

        string result = await _fixture.Assembly.CallAsync<string>("App.Scenario", "GetOrder", options, new Guid("0f8fad5b-d9cb-469f-a165-70867728950e"));

        Assert.Equal("0f8fad5b-d9cb-469f-a165-70867728950ex3", result);
        Assert.Equal("http://example.test/api/0f8fad5b-d9cb-469f-a165-70867728950e", Assert.Single(transport.Requests).Uri);
    }

    [Fact]
    public async Task Second_construction_of_the_same_generic_sends_its_own_body_type()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options("""{"Id":9,"Name":"Ann"}""");

        string result = await _fixture.Assembly.CallAsync<string>("App.Scenario", "CreateUser", options);

        Assert.Equal("9:Ann", result);
        RecordedRequest request = Assert.Single(transport.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("""{"Id":0,"Name":"Ann"}""", request.BodyText);
    }

    [Fact]
    public async Task Result_of_a_collection_of_the_type_argument_is_read()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options("""[{"Id":1,"Name":"a"},{"Id":2,"Name":"b"}]""");

        string result = await _fixture.Assembly.CallAsync<string>("App.Scenario", "ListUsers", options);

        Assert.Equal("a,b", result);
        Assert.Equal("http://example.test/api?page=3", Assert.Single(transport.Requests).Uri);
    }

    [Fact]
    public async Task Derived_interface_implements_its_closed_generic_base()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options("""{"Id":7,"Name":"Zoë"}""");

        string result = await _fixture.Assembly.CallAsync<string>("App.Scenario", "DerivedMe", options);

        Assert.Equal("Zoë,Zoë", result);
        Assert.Equal(new[] { "http://example.test/api/users/me", "http://example.test/api/users/7" }, transport.Requests.Select(r => r.Uri));
    }

    [Fact]
    public async Task Construction_nothing_names_fails_with_the_fix_in_the_message()
    {
        (TypedHttpClientOptions options, RecordingTransport transport) = Options("{}");

        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(() => _fixture.Assembly.CallAsync<string>("App.Scenario", "Unnamed", options));

        Assert.Contains("[assembly: TypedHttpClientFor(typeof(App.ICrudApi<App.Order, long>))]", error.Message);
        Assert.Empty(transport.Requests);
    }

    [Fact]
    public async Task Construction_in_another_assembly_named_by_the_assembly_attribute()
    {
        GeneratorRun library = GeneratorHarness.Run(LibrarySource).AssertNoGeneratorDiagnostics().AssertCompiles();
        Assert.Empty(library.Clients);
        byte[] libraryImage = GeneratedAssembly.Image(library);
        var consumer = CSharpCompilation.Create(
            "Consumer" + Guid.NewGuid().ToString("N"),
            new[] { CSharpSyntaxTree.ParseText(ConsumerSource, GeneratorHarness.ParseOptions, GeneratorHarness.UserFilePath) },
            GeneratorHarness.References.Add(MetadataReference.CreateFromImage(libraryImage)),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        GeneratorRun run = GeneratorHarness.Run(consumer, withJsonGenerator: true).AssertNoGeneratorDiagnostics().AssertCompiles();
        Assert.Equal(new[] { "Lib.IReadApi{Consumer.Invoice}.g.cs" }, run.Clients.Select(c => c.HintName));
        using var assembly = GeneratedAssembly.Load(run, libraryImage);
        (TypedHttpClientOptions options, RecordingTransport transport) = Options("""{"Number":12,"Total":99.5}""");

        string result = await assembly.CallAsync<string>("Consumer.Scenario", "GetInvoice", options);

        Assert.Equal("12=99.5", result);
        Assert.Equal("http://example.test/api/items/12", Assert.Single(transport.Requests).Uri);
    }
}
