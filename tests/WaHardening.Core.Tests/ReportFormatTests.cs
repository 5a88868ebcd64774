using System;
using System.Linq;
using WaHardening.Core.Reporting;
using Xunit;

namespace WaHardening.Core.Tests
{
    public class ReportFormatTests
    {
        [Fact]
        public void EveryDeclaredFormatHasItsOwnWriter()
        {
            var r = ReportingTests.Sample();
            var texts = Enum.GetValues(typeof(ReportFormat)).Cast<ReportFormat>().Select(f => ReportWriters.Write(r, f)).ToList();
            Assert.Equal(texts.Count, texts.Distinct().Count());
        }

        [Fact]
        public void AnUndeclaredFormatIsRefusedNotRenderedAsHtml()
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => ReportWriters.Write(ReportingTests.Sample(), (ReportFormat)99));
            Assert.Equal("f", e.ParamName);
        }
    }
}
