import pytest
from scipy import stats

from welfarelab.analytics.constants import (
    Z_95,
    Z_99_8,
    confidence_label,
    z_for_confidence,
)


def test_the_named_z_values_are_the_exact_normal_quantiles():
    assert stats.norm.ppf(0.975) == pytest.approx(Z_95, abs=1e-15)
    assert stats.norm.ppf(0.999) == pytest.approx(Z_99_8, abs=1e-15)
    assert round(Z_95, 6) == 1.959964
    assert round(Z_99_8, 6) == 3.090232


def test_other_confidence_levels_get_their_own_quantile():
    assert z_for_confidence(0.90) == pytest.approx(1.644854, abs=1e-6)
    assert z_for_confidence(0.95) == Z_95
    assert z_for_confidence(0.998) == Z_99_8


@pytest.mark.parametrize(("confidence", "label"), [(0.95, "95"), (0.998, "99_8"), (0.9, "90"), (0.99, "99")])
def test_confidence_labels_name_columns(confidence, label):
    assert confidence_label(confidence) == label


@pytest.mark.parametrize("confidence", [0, 1, 95, -0.5, 99.8])
def test_a_confidence_that_is_not_a_fraction_is_refused(confidence):
    with pytest.raises(ValueError, match="Confidence must be a fraction strictly between 0 and 1"):
        z_for_confidence(confidence)
