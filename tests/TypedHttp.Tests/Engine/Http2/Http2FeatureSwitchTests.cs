using System;
using System.Net.Http;
using System.Threading.Tasks;
using static TypedHttp.Tests.Engine.EngineTest;

namespace TypedHttp.Tests.Engine.Http2;

/// <summary>
/// H2-14 with the switch turned off. It runs in the "AppContext switches" collection, alone: the switch is read by
/// every session in the process, and turned off beside the other HTTP/2 tests it failed them at random.
/// </summary>
[Collection("AppContext switches")]
public sealed class Http2FeatureSwitchTests
{
    [Fact]
    public async Task H2_14_feature_switch_off_refuses_an_exact_http_2_request()
    {
        // The switch is read at run time here (no trimming): the same check the trimmed binary makes.
        using HttpSession session = Session(o => o.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact);
        AppContext.SetSwitch("TypedHttp.Http2.IsSupported", false);
        try
        {
            TypedHttpException e = await Assert.ThrowsAsync<TypedHttpException>(async () => await session.GetAsync(new Uri("http://127.0.0.1:9/")));
            Assert.Equal((HttpError.VersionNotAvailable, HttpPhase.Request), (e.Error, e.Phase));
        }
        finally
        {
            AppContext.SetSwitch("TypedHttp.Http2.IsSupported", true);
        }
    }
}
