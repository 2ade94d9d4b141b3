from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.domain.codes import (
    DEFAULT_LAYOUT,
    CameraId,
    VIDEO_TYPES,
    CodeError,
    CodeLayout,
    CommunityCode,
    ComponentId,
    GridCode,
    StreetCode,
    community_code_of,
    street_code_of,
)

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


# ------------------------------------------------------------------ grid codes


def test_grid_code_segments():
    g = GridCode.parse("350402001002007")
    assert (g.admin, g.street, g.community, g.grid) == ("350402", "001", "002", "007")
    assert g.street_code == "350402001"
    assert g.community_code == "350402001002"
    assert str(g) == "350402001002007"


def test_grid_code_keeps_leading_zeros_and_letters():
    g = GridCode.parse("010101000A0B001")
    assert g.admin == "010101"
    assert g.street == "000"
    assert g.community == "A0B"
    assert str(g) == "010101000A0B001"


def test_grid_code_from_segments_and_format():
    g = GridCode("350402", "001", "002", "007")
    assert g == GridCode.parse("350402001002007")
    assert GridCode.format("350402", "001", "002", "007") == "350402001002007"


def test_grid_code_wrong_length_names_code_and_length():
    with pytest.raises(CodeError, match=r"grid code '35040200100200' has 14 characters, expected 15"):
        GridCode.parse("35040200100200")


def test_grid_code_bad_character_names_segment():
    with pytest.raises(CodeError) as err:
        GridCode.parse("350402001a02007")
    msg = str(err.value)
    assert "community segment 'a02'" in msg
    assert "'350402001a02007'" in msg
    assert "[0-9A-Z]" in msg


def test_grid_code_bad_segment_in_constructor_names_it():
    with pytest.raises(CodeError, match=r"community segment 'A1' of grid code '350402001A1007' "
                                        r"must be 3 characters \[0-9A-Z\]"):
        GridCode("350402", "001", "A1", "007")


@pytest.mark.parametrize("value", [350402001002007, None, 3.5])
def test_grid_code_rejects_non_strings(value):
    with pytest.raises(CodeError, match="must be a string"):
        GridCode.parse(value)  # type: ignore[arg-type]


def test_grid_code_is_valid():
    assert GridCode.is_valid("350402001002007")
    assert not GridCode.is_valid("350402001002007 ")
    assert not GridCode.is_valid(350402001002007)


def test_code_error_is_value_error():
    assert issubclass(CodeError, ValueError)


def test_custom_layout_14_digits():
    layout = CodeLayout(grid=2)
    g = GridCode.parse("35040200100201", layout)
    assert g.grid == "01"
    assert g.community_code == "350402001002"
    with pytest.raises(CodeError, match="expected 14"):
        GridCode.parse("350402001002007", layout)


def test_layout_rejects_nonpositive():
    with pytest.raises(CodeError, match="street length"):
        CodeLayout(street=0)


def test_street_and_community_codes():
    s = StreetCode.parse("350402001")
    assert (s.admin, s.street, str(s)) == ("350402", "001", "350402001")
    c = CommunityCode.parse("350402001002")
    assert (c.community, c.street_code, str(c)) == ("002", "350402001", "350402001002")
    with pytest.raises(CodeError, match="street code '35040200' has 8 characters, expected 9"):
        StreetCode.parse("35040200")
    with pytest.raises(CodeError, match="street segment '0-1' of community code"):
        CommunityCode.parse("3504020-1002")


def test_street_and_community_of():
    assert street_code_of("350402001002007") == "350402001"
    assert street_code_of("350402001002") == "350402001"
    assert street_code_of("350402001") == "350402001"
    assert street_code_of(GridCode.parse("350402001002007")) == "350402001"
    assert community_code_of("350402001002007") == "350402001002"
    assert community_code_of("350402001002") == "350402001002"
    with pytest.raises(CodeError, match="community code of '350402001'"):
        community_code_of("350402001")
    with pytest.raises(CodeError, match="street code of '3504020010'"):
        street_code_of("3504020010")
    with pytest.raises(CodeError, match="grid segment"):
        street_code_of("35040200100200x")


segment = lambda n: st.text(alphabet=ALNUM, min_size=n, max_size=n)  # noqa: E731


@given(segment(6), segment(3), segment(3), segment(3))
def test_grid_code_round_trip(admin, street, community, grid):
    code = admin + street + community + grid
    parsed = GridCode.parse(code)
    assert str(parsed) == code
    assert parsed.street_code == code[:9]
    assert parsed.community_code == code[:12]
    assert GridCode.parse(str(parsed)) == parsed


@given(st.integers(1, 8), st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.data())
def test_any_layout_round_trip(a, s, c, g, data):
    layout = CodeLayout(a, s, c, g)
    code = data.draw(segment(a + s + c + g))
    parsed = GridCode.parse(code, layout)
    assert str(parsed) == code
    assert street_code_of(code, layout) == code[: a + s]
    assert community_code_of(code, layout) == code[: a + s + c]


@given(st.text(max_size=20))
def test_parse_either_succeeds_or_raises_code_error(text):
    try:
        parsed = GridCode.parse(text)
    except CodeError as exc:
        assert repr(text)[1:-1] in str(exc) or text in str(exc)
    else:
        assert str(parsed) == text and len(text) == DEFAULT_LAYOUT.grid_length


# ------------------------------------------------------------------ component IDs


def test_component_id_16_digits():
    c = ComponentId.parse("3205080101000001")
    assert (c.admin, c.major, c.minor, c.sequence) == ("320508", "01", "01", "000001")
    assert c.standard == "GB/T 30428.2"
    assert c.category_code == "0101"
    assert str(c) == "3205080101000001"


def test_component_id_17_digits():
    c = ComponentId.parse("32050801001000001")
    assert c.minor == "001"
    assert c.standard == "GB/T 47678.5"
    assert c.category_code == "01001"


def test_component_id_format():
    assert ComponentId.format("350402", "06", "010", 12) == "35040206010000012"
    assert ComponentId.format("350402", "01", "01", "000007") == "3504020101000007"


def test_component_id_errors():
    with pytest.raises(CodeError, match="component ID '320508010100001' has 15 characters"):
        ComponentId.parse("320508010100001")
    with pytest.raises(CodeError, match="sequence segment '00000A' of component ID"):
        ComponentId.parse("320508010100000A")
    with pytest.raises(CodeError, match="major segment '1' of component ID"):
        ComponentId("320508", "1", "01", "000001")
    with pytest.raises(CodeError, match="must be a string"):
        ComponentId.parse(3205080101000001)  # type: ignore[arg-type]


@given(st.from_regex(r"\A[0-9]{16,17}\Z"))
def test_component_id_round_trip(code):
    assert str(ComponentId.parse(code)) == code


# ------------------------------------------------------------------ camera IDs


def test_camera_id_is_parsed_field_by_field():
    cam = CameraId.parse("35040200081326000017")
    assert (cam.center, cam.industry, cam.type_code, cam.network, cam.sequence) == \
        ("35040200", "08", "132", "6", "000017")
    assert cam.admin_code == "350402"
    assert cam.type_name == "网络摄像机(IPC)" and cam.network_name == "政务网"
    assert cam.is_camera and cam.require_video() is cam
    assert str(cam) == "35040200081326000017"


@pytest.mark.parametrize("type_code", sorted(VIDEO_TYPES))
def test_video_types_are_cameras(type_code):
    assert CameraId.parse(f"3504020000{type_code}0000001").is_camera


@pytest.mark.parametrize("type_code, name", [("111", "DVR"), ("118", "NVR"), ("134", "报警输入设备"),
                                             ("200", "中心信令控制服务器"), ("215", "业务分组"),
                                             ("216", "虚拟组织"), ("300", "中心用户"), ("400", "终端用户"),
                                             ("999", "类型999")])
def test_no_video_device_is_refused_naming_its_type(type_code, name):
    cam = CameraId.parse(f"3504020000{type_code}0000001")
    assert not cam.is_camera
    with pytest.raises(CodeError, match=f"类型码 {type_code} \\({name}\\) 不是视频设备"):
        cam.require_video()


def test_camera_id_format_and_errors():
    assert CameraId.format("35040200", "00", "131", 5) == "35040200001310000005"
    assert CameraId.format("35040200", "08", "132", 5, network="6") == "35040200081326000005"
    with pytest.raises(CodeError, match="0..999999"):
        CameraId.format("35040200", "00", "131", 1_000_000)
    with pytest.raises(CodeError, match="camera ID '3504020000132000001' has 19 characters, expected 20 "
                                        "\\(centre 8 \\+ industry 2 \\+ type 3 \\+ network 1 \\+ sequence 6\\)"):
        CameraId.parse("3504020000132000001")
    with pytest.raises(CodeError, match="type segment '13X' of camera ID"):
        CameraId.parse("350402000013X0000001")
    with pytest.raises(CodeError, match="network segment 'x' of camera ID"):
        CameraId("35040200", "00", "132", "x", "000001")


@given(st.from_regex(r"\A[0-9]{20}\Z"))
def test_camera_id_round_trip(code):
    cam = CameraId.parse(code)
    assert str(cam) == code
    assert CameraId(cam.center, cam.industry, cam.type_code, cam.network, cam.sequence) == cam
